/**
 * A WebSocket kit (the contract in websocket.ts) over any of Hono's own `upgradeWebSocket`
 * helpers — `createNodeWebSocket({ app })` of @hono/node-ws, `hono/bun`, `hono/deno` — for
 * hosts that already use one:
 *
 *   const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
 *   app.route('/tmux', createMonitor({ upgradeWebSocket, source, auth }));
 *   injectWebSocket(serve({ fetch: app.fetch, port: 3000 }));
 *
 * The generic path's limits (docs/embedding.md): no batch hook (each frame is a write of
 * its own; the runtime kits cork a turn's frames), back-pressure only where the helper's raw
 * socket reports its buffered bytes (ws and Deno's WebSocket: `bufferedAmount`, Bun:
 * `getBufferedAmount()`; elsewhere 0), and a heartbeat only where the raw socket is a `ws`
 * one (ping and 'pong'); Bun and Deno ping idle sockets themselves. Frames over
 * `maxFrameBytes` are closed with 1009 here, after the helper has read them.
 *
 * Touches no runtime global: the core imports it.
 */
import type { Context } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import { resolveWebSocketOptions, startHeartbeat, type Peer, type WebSocketKit, type WebSocketOptions } from './websocket.ts';

export interface HonoWebSocketOptions extends WebSocketOptions {
  /** The peer's address (for the failed-auth limit and the audit log); default: best effort from `c.env`. */
  remoteAddress?: (c: Context) => string | undefined;
}

/** What the runtimes' raw sockets may offer (ws, Deno's WebSocket, Bun's ServerWebSocket). */
interface RawSocket {
  readyState?: number;
  bufferedAmount?: number;
  binaryType?: string;
  getBufferedAmount?(): number;
  ping?(): void;
  terminate?(): void;
  on?(event: 'pong', listener: () => void): void;
}

/** `c.env` as @hono/node-server (incoming), Bun (the server) and Deno.serve (info) pass it. */
function envAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; requestIP?(r: Request): { address: string } | null;
    remoteAddr?: { hostname?: string } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? env?.remoteAddr?.hostname ?? (typeof env?.requestIP === 'function' ? env.requestIP(c.req.raw)?.address : undefined);
}

function utf8Over(text: string, limit: number): boolean {
  if (text.length > limit) return true; // at least one byte per UTF-16 unit
  return text.length * 3 > limit && new TextEncoder().encode(text).byteLength > limit;
}

export function honoWebSocketKit(upgradeWebSocket: UpgradeWebSocket<any, any, any>, options: HonoWebSocketOptions = {}): WebSocketKit {
  const resolved = resolveWebSocketOptions(options);
  const pingable = new Set<RawSocket>();
  const heartbeat = startHeartbeat(pingable, resolved.heartbeatMs, resolved.heartbeatTimeoutMs, (raw) => raw.ping!(), (raw) => raw.terminate!());

  const peerOf = (ws: WSContext<RawSocket>): Peer => {
    const raw = ws.raw;
    return {
      send(text) {
        // Bun's WSContext holds the readyState of its creation: the raw socket's is current.
        if ((raw?.readyState ?? ws.readyState) !== 1) return;
        try {
          ws.send(text);
        } catch {
          // A socket closing under us: the close event follows.
        }
      },
      close(code, reason) {
        try {
          ws.close(code, reason);
        } catch {
          raw?.terminate?.(); // a code the runtime will not send (1006)
        }
      },
      get bufferedAmount() {
        return typeof raw?.bufferedAmount === 'number' ? raw.bufferedAmount : (raw?.getBufferedAmount?.() ?? 0);
      },
      batch: (fn) => fn(),
    };
  };

  return {
    runtime: 'hono',
    options: resolved,
    async upgrade(c, handlers) {
      let peer: Peer | undefined;
      const response = await upgradeWebSocket(c, {
        onOpen(_event: Event, ws: WSContext<RawSocket>) {
          peer = peerOf(ws);
          const raw = ws.raw;
          // Deno's WebSocket hands binary frames over as Blobs unless told otherwise.
          if (raw?.binaryType === 'blob') raw.binaryType = 'arraybuffer';
          if (typeof raw?.ping === 'function' && typeof raw.on === 'function' && typeof raw.terminate === 'function') {
            pingable.add(raw);
            raw.on('pong', () => heartbeat.answered(raw));
          }
          handlers.open(peer);
        },
        onMessage(event: MessageEvent, ws: WSContext<RawSocket>) {
          if (!peer) return;
          const data = event.data as string | ArrayBuffer | ArrayBufferView | Blob;
          const size = typeof data === 'string' ? 0 : 'size' in data ? data.size : data.byteLength;
          if (size > resolved.maxFrameBytes || (typeof data === 'string' && utf8Over(data, resolved.maxFrameBytes))) {
            return peer.close(1009, `frame over ${resolved.maxFrameBytes} bytes`);
          }
          if (typeof data === 'string' || data instanceof ArrayBuffer) return handlers.message(peer, data);
          if (ArrayBuffer.isView(data)) return handlers.message(peer, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
          const current = peer;
          void data.arrayBuffer().then((buffer) => handlers.message(current, buffer), () => ws.close(1011, 'unreadable frame'));
        },
        onClose(event: CloseEvent, ws: WSContext<RawSocket>) {
          if (ws.raw) pingable.delete(ws.raw);
          if (peer) handlers.close(peer, event.code || 1006);
        },
      });
      return response;
    },
    remoteAddress: options.remoteAddress ?? envAddress,
    stop: heartbeat.stop,
  };
}

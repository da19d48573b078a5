/**
 * A WebSocket kit (the contract in websocket.ts) over any of Hono's own `upgradeWebSocket`
 * helpers (@hono/node-ws, hono/bun, hono/deno), for hosts that already use one:
 *
 *   const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
 *   app.route('/tmux', createMonitor({ upgradeWebSocket, source, auth }));
 *
 * The generic path knows only Hono's WSContext and its `raw` socket, hence its limits
 * (docs/embedding.md): no batch (each frame is a write of its own), a send buffer only where
 * the raw socket reports one (else 0), frames over `maxFrameBytes` closed with 1009 after the
 * helper read them, and a heartbeat only over a `ws` socket (Bun and Deno ping idle sockets
 * themselves). Touches no runtime global: the core imports it.
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

/** What `c.env` is under @hono/node-server (the request), Bun.serve (the server) and Deno.serve (info). */
interface ServerEnv {
  incoming?: { socket?: { remoteAddress?: string } };
  requestIP?(request: Request): { address: string } | null;
  remoteAddr?: { hostname?: string };
}

function envAddress(c: Context): string | undefined {
  const env = c.env as ServerEnv | undefined;
  if (typeof env?.requestIP === 'function') return env.requestIP(c.req.raw)?.address;
  return env?.incoming?.socket?.remoteAddress ?? env?.remoteAddr?.hostname;
}

function utf8Over(text: string, limit: number): boolean {
  if (text.length > limit) return true; // at least one byte per UTF-16 unit
  return text.length * 3 > limit && new TextEncoder().encode(text).byteLength > limit;
}

export function honoWebSocketKit(upgradeWebSocket: UpgradeWebSocket<any, any, any>, options: HonoWebSocketOptions = {}): WebSocketKit {
  const resolved = resolveWebSocketOptions(options);
  const pingable = new Set<RawSocket>();
  const heartbeat = startHeartbeat(
    pingable,
    resolved.heartbeatMs,
    resolved.heartbeatTimeoutMs,
    (raw) => raw.ping!(),
    (raw) => raw.terminate!(),
  );

  const peerOf = (ws: WSContext<RawSocket>): Peer => {
    const raw = ws.raw;
    return {
      send(text) {
        // Bun's WSContext holds the readyState of its creation: the raw socket's is current.
        if ((raw?.readyState ?? ws.readyState) !== 1) return;
        try {
          ws.send(text);
        } catch {
          /* closing under us: the close event follows */
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
    upgrade(c, handlers) {
      let peer: Peer | undefined;
      return upgradeWebSocket(c, {
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
          if (ArrayBuffer.isView(data)) {
            return handlers.message(peer, new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer);
          }
          const current = peer; // a Blob, from a runtime not told otherwise
          void data.arrayBuffer().then(
            (buffer) => handlers.message(current, buffer),
            () => ws.close(1011, 'unreadable frame'),
          );
        },
        onClose(event: CloseEvent, ws: WSContext<RawSocket>) {
          if (ws.raw) pingable.delete(ws.raw);
          if (peer) handlers.close(peer, event.code || 1006);
        },
      });
    },
    remoteAddress: options.remoteAddress ?? envAddress,
    stop: heartbeat.stop,
  };
}

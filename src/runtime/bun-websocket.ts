/**
 * Bun's WebSocket kit (the contract in websocket.ts). For bun.ts and for hosts that embed
 * the monitor in their own `Bun.serve`:
 *
 *   const ws = createBunWebSocket();
 *   app.route('/tmux', createMonitor({ websocket: ws, source, auth }));
 *   Bun.serve({ fetch: app.fetch, websocket: ws.websocket });
 *
 * Bun's server calls one `websocket` handler object for all sockets; each socket's `data`
 * carries its peer and handlers. Bun closes inbound frames over `maxPayloadLength` with
 * 1009 itself; its own back-pressure limit is set above the monitor's so that Bun never
 * drops a message silently and the monitor decides (4503); the heartbeat is explicit
 * (Bun's idle timer and automatic pings run on uWS's coarse 4-second timer).
 *
 * No Bun globals are touched here: the `Bun.serve` call is the host's (or bun.ts's).
 */
import type { Context } from 'hono';
import {
  resolveWebSocketOptions,
  startHeartbeat,
  type Peer,
  type PeerHandlers,
  type WebSocketKit,
  type WebSocketOptions,
} from './websocket.ts';

/** The part of Bun's ServerWebSocket we use (Bun's own types are not installed). */
export interface BunServerWebSocket {
  readonly readyState: number;
  data: BunSocketData;
  send(data: string | ArrayBuffer | Uint8Array, compress?: boolean): number;
  close(code?: number, reason?: string): void;
  ping(data?: string): number;
  /** Closes without a close handshake (Bun ≥ 1.1); absent in older Bun. */
  terminate?(): void;
  /** Bytes queued by send() and not yet written. */
  getBufferedAmount(): number;
  /** Runs the callback with the socket corked: its sends go out in one write. */
  cork?(callback: (ws: BunServerWebSocket) => void): unknown;
}

export interface BunSocketData {
  handlers: PeerHandlers;
  peer?: Peer;
}

/** The part of Bun's Server we use. */
interface BunServerLike {
  upgrade(request: Request, options: { data: BunSocketData; headers?: HeadersInit }): boolean;
  requestIP?(request: Request): { address: string } | null;
}

export type BunWebSocketOptions = WebSocketOptions;

/** Pass as `Bun.serve({ websocket })`. */
export interface BunWebSocketHandler {
  open(ws: BunServerWebSocket): void;
  message(ws: BunServerWebSocket, message: string | Uint8Array): void;
  close(ws: BunServerWebSocket, code: number, reason: string): void;
  pong(ws: BunServerWebSocket): void;
  maxPayloadLength: number;
  backpressureLimit: number;
  closeOnBackpressureLimit: boolean;
  idleTimeout: number;
  sendPings: boolean;
}

export interface BunWebSocket extends WebSocketKit {
  /** Bun's handler object for `Bun.serve({ websocket })`. */
  websocket: BunWebSocketHandler;
  /** The sockets open now. */
  readonly sockets: ReadonlySet<BunServerWebSocket>;
}

/** The Bun server from a Hono context: `app.fetch(request, server)` makes it `c.env`. */
function serverOf(c: Context): BunServerLike | undefined {
  const env = c.env as (BunServerLike & { server?: BunServerLike }) | undefined;
  if (!env) return undefined;
  return 'server' in env && env.server ? env.server : env;
}

function bunPeer(ws: BunServerWebSocket): Peer {
  return {
    send(text) {
      if (ws.readyState === 1) ws.send(text);
    },
    close: (code, reason) => ws.close(code, reason),
    get bufferedAmount() {
      return ws.getBufferedAmount();
    },
    batch(fn) {
      if (ws.cork) ws.cork(() => fn());
      else fn();
    },
  };
}

export function createBunWebSocket(options: BunWebSocketOptions = {}): BunWebSocket {
  const resolved = resolveWebSocketOptions(options);
  const sockets = new Set<BunServerWebSocket>();
  const heartbeat = startHeartbeat(
    sockets,
    resolved.heartbeatMs,
    resolved.heartbeatTimeoutMs,
    (ws) => ws.ping(),
    // No close handshake with a peer that does not answer.
    (ws) => (ws.terminate ? ws.terminate() : ws.close(1001, 'no pong')),
  );

  const websocket: BunWebSocketHandler = {
    open(ws) {
      sockets.add(ws);
      const peer = bunPeer(ws);
      ws.data.peer = peer;
      ws.data.handlers.open(peer);
    },
    message(ws, message) {
      // Binary frames as an ArrayBuffer of exactly the frame (a Buffer may view a larger one).
      const data =
        typeof message === 'string'
          ? message
          : (message.buffer.slice(message.byteOffset, message.byteOffset + message.byteLength) as ArrayBuffer);
      ws.data.handlers.message(ws.data.peer!, data);
    },
    close(ws, code) {
      sockets.delete(ws);
      ws.data.handlers.close(ws.data.peer!, code);
    },
    pong(ws) {
      heartbeat.answered(ws);
    },
    maxPayloadLength: resolved.maxFrameBytes,
    // Past this Bun drops messages silently; ours (4503) must come first.
    backpressureLimit: Math.max(16 * 1024 * 1024, 4 * resolved.sendBufferLimit),
    closeOnBackpressureLimit: false,
    // The heartbeat above replaces Bun's idle timer and automatic pings. Bun still answers
    // the peer's pings.
    idleTimeout: 0,
    sendPings: false,
  };

  return {
    runtime: 'bun',
    options: resolved,
    upgrade(c, handlers) {
      const server = serverOf(c);
      if (!server?.upgrade) throw new TypeError('Bun.serve must call app.fetch(request, server) for WebSocket upgrades');
      // Bun answers the upgrade itself (and the subprotocol); the response returned here is not sent.
      if (server.upgrade(c.req.raw, { data: { handlers } })) return new Response(null);
      return new Response(JSON.stringify({ error: 'UPGRADE_FAILED', message: 'WebSocket upgrade failed' }), { status: 400 });
    },
    remoteAddress: (c) => serverOf(c)?.requestIP?.(c.req.raw)?.address,
    stop: heartbeat.stop,
    websocket,
    sockets,
  };
}

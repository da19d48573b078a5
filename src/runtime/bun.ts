/**
 * Bun: `Bun.serve` with Hono's Bun WebSocket helper (`hono/bun`). All of Bun's WebSocket
 * wiring is here.
 *
 * Gaps filled: frame size is Bun's `maxPayloadLength` (Bun closes with 1009 itself);
 * the send buffer is `getBufferedAmount()` (read by the core's transport), and Bun's own
 * back-pressure limit is set above ours so that Bun never drops a message silently and
 * the core decides (4503); the heartbeat is explicit (`ping()` + the `pong` handler), as
 * on Node, because Bun's automatic pings run on uWS's coarse idle timer (4 s steps).
 */
import { Hono } from 'hono';
import { getConnInfo, upgradeWebSocket, websocket } from 'hono/bun';
import type { RuntimeServer } from '../cli/platform.ts';

/** The part of Bun's server WebSocket we use (Bun's own types are not installed). */
export interface BunServerWebSocket {
  readonly readyState: number;
  ping(data?: string): number;
  close(code?: number, reason?: string): void;
  terminate?(): void;
  getBufferedAmount(): number;
}

interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunServeApi {
  serve(options: Record<string, unknown>): BunServer;
}

type Handlers = typeof websocket;

export const bunServer: RuntimeServer = {
  name: 'bun',
  async serve(createApp, options) {
    const bun = (globalThis as unknown as { Bun: BunServeApi }).Bun;
    const root = new Hono();
    root.route('/', createApp({ upgradeWebSocket, remoteAddress: (c) => getConnInfo(c).remote.address }));

    const sockets = new Set<BunServerWebSocket>();
    const heartbeat = createHeartbeat(sockets, options.heartbeatMs, options.heartbeatTimeoutMs);
    const handlers: Handlers & Record<string, unknown> = {
      open(ws) {
        sockets.add(ws as unknown as BunServerWebSocket);
        websocket.open(ws);
      },
      message: websocket.message,
      close(ws, code, reason) {
        sockets.delete(ws as unknown as BunServerWebSocket);
        websocket.close(ws, code, reason);
      },
      pong(ws: unknown) {
        heartbeat.answered(ws as BunServerWebSocket);
      },
      maxPayloadLength: options.maxFrameBytes,
      // Ours, not Bun's: Bun would drop messages past this silently.
      backpressureLimit: Math.max(16 * 1024 * 1024, 4 * (options.sendBufferLimit ?? 0)),
      closeOnBackpressureLimit: false,
      // The heartbeat above replaces Bun's idle timer and automatic pings.
      idleTimeout: 0,
      sendPings: false,
    };
    const server = bun.serve({
      hostname: options.host,
      port: options.port,
      ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
      fetch: (request: Request, server: unknown) => root.fetch(request, server),
      websocket: handlers,
    });
    return {
      port: server.port,
      async close() {
        heartbeat.stop();
        // Stop accepting; give the close frames already sent (1001) a moment to flush,
        // then drop whatever is left.
        void server.stop(false);
        const started = Date.now();
        while (sockets.size > 0 && Date.now() - started < 1000) await new Promise((resolve) => setTimeout(resolve, 20));
        await server.stop(true);
      },
    };
  },
};

/** Pings every socket every `intervalMs`; one that has not answered `timeoutMs` later is dropped. */
function createHeartbeat(sockets: Set<BunServerWebSocket>, intervalMs: number, timeoutMs: number) {
  const waiting = new WeakSet<BunServerWebSocket>();
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const interval = setInterval(() => {
    for (const ws of sockets) {
      waiting.add(ws);
      ws.ping();
    }
    clearTimeout(deadline);
    deadline = setTimeout(() => {
      for (const ws of sockets) if (waiting.has(ws)) drop(ws);
    }, timeoutMs);
  }, intervalMs);
  return {
    answered: (ws: BunServerWebSocket) => void waiting.delete(ws),
    stop() {
      clearInterval(interval);
      clearTimeout(deadline);
    },
  };
}

function drop(ws: BunServerWebSocket): void {
  // terminate(): no close handshake with a peer that does not answer (Bun ≥ 1.1.?).
  if (ws.terminate) ws.terminate();
  else ws.close(1001, 'no pong');
}

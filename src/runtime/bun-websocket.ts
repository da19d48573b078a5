/**
 * Hono's WebSocket upgrade for Bun, with what the server needs from Bun wired in: the
 * frame limit, the back-pressure limit, a heartbeat and the peer address. For the CLI
 * (bun.ts) and for hosts that embed the monitor in their own `Bun.serve`:
 *
 *   const ws = createBunWebSocket();
 *   app.route('/tmux', createMonitor({ upgradeWebSocket: ws.upgradeWebSocket, remoteAddress: ws.remoteAddress, ... }));
 *   Bun.serve({ fetch: app.fetch, websocket: ws.websocket });
 *
 * Why not `hono/bun`: it builds a new WSContext for every event (state kept on it is lost
 * between events), cannot be imported outside Bun (so not from this package's root), and
 * is deprecated in favour of a package we do not depend on. Bun's server calls the one
 * `websocket` handler object for all sockets; each socket's `data` carries its events.
 *
 * No Bun globals are touched here: the `Bun.serve` call is the host's (or bun.ts's).
 */
import type { Context } from 'hono';
import { defineWebSocketHelper, WSContext, type UpgradeWebSocket, type WSEvents } from 'hono/ws';

/** The part of Bun's ServerWebSocket we use (Bun's own types are not installed). */
export interface BunServerWebSocket {
  readonly readyState: number;
  data: BunSocketData;
  send(data: string | ArrayBuffer | Uint8Array, compress?: boolean): number;
  close(code?: number, reason?: string): void;
  ping(data?: string): number;
  /** Closes without a close handshake (Bun ≥ 1.1.?); absent in older Bun. */
  terminate?(): void;
  /** Bytes queued by send() and not yet written: the core's slow-reader check reads it. */
  getBufferedAmount(): number;
}

export interface BunSocketData {
  events: WSEvents<BunServerWebSocket>;
  url: URL;
  protocol: string;
  /** One context for the socket's whole life, made on open. */
  context?: WSContext<BunServerWebSocket>;
}

/** The part of Bun's Server we use. */
interface BunServerLike {
  upgrade(request: Request, options: { data: BunSocketData }): boolean;
  requestIP?(request: Request): { address: string } | null;
}

export interface BunWebSocketOptions {
  /** Bun closes larger inbound frames with 1009 itself (default 64 KiB). */
  maxFrameBytes?: number;
  /** The monitor's send-buffer limit; Bun's own back-pressure limit is set above it. */
  sendBufferLimit?: number;
  /** Ping every this many ms (default 25 000; 0: no heartbeat). */
  heartbeatMs?: number;
  /** Drop a socket that has not answered a ping within this many ms (default 10 000). */
  heartbeatTimeoutMs?: number;
}

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

export interface BunWebSocket {
  upgradeWebSocket: UpgradeWebSocket<BunServerWebSocket>;
  websocket: BunWebSocketHandler;
  /** The peer's address (Bun's `server.requestIP`). */
  remoteAddress(c: Context): string | undefined;
  /** The sockets open now. */
  readonly sockets: ReadonlySet<BunServerWebSocket>;
  /** Stops the heartbeat. */
  stop(): void;
}

/** The Bun server from a Hono context: `app.fetch(request, server)` makes it `c.env`. */
function serverOf(c: Context): BunServerLike | undefined {
  const env = c.env as (BunServerLike & { server?: BunServerLike }) | undefined;
  if (!env) return undefined;
  return 'server' in env && env.server ? env.server : env;
}

export function createBunWebSocket(options: BunWebSocketOptions = {}): BunWebSocket {
  const sockets = new Set<BunServerWebSocket>();
  const heartbeat = startHeartbeat(sockets, options.heartbeatMs ?? 25_000, options.heartbeatTimeoutMs ?? 10_000);

  const upgradeWebSocket = defineWebSocketHelper<BunServerWebSocket>((c, events) => {
    const server = serverOf(c);
    if (!server?.upgrade) throw new TypeError('Bun.serve must call app.fetch(request, server) for WebSocket upgrades');
    const data: BunSocketData = {
      events,
      url: new URL(c.req.url),
      protocol: c.req.header('sec-websocket-protocol')?.split(',')[0]?.trim() ?? '',
    };
    // Bun answers the upgrade itself; the response returned here is not sent.
    if (server.upgrade(c.req.raw, { data })) return new Response(null);
  });

  const run = (ws: BunServerWebSocket, handler: () => void) => {
    try {
      handler();
    } catch (error) {
      const onError = ws.data.events.onError;
      if (!onError || !ws.data.context) throw error;
      onError(Object.assign(new Event('error'), { error }), ws.data.context);
    }
  };

  const websocket: BunWebSocketHandler = {
    open(ws) {
      sockets.add(ws);
      const context = new WSContext<BunServerWebSocket>({
        raw: ws,
        get readyState() {
          return ws.readyState as 0 | 1 | 2 | 3;
        },
        url: ws.data.url,
        protocol: ws.data.protocol,
        send: (data, sendOptions) => void ws.send(data, sendOptions.compress),
        close: (code, reason) => ws.close(code, reason),
      });
      ws.data.context = context;
      run(ws, () => ws.data.events.onOpen?.(new Event('open'), context));
    },
    message(ws, message) {
      const context = ws.data.context!;
      // Binary frames as an ArrayBuffer of exactly the frame (a Buffer may view a larger one).
      const data = typeof message === 'string' ? message : message.buffer.slice(message.byteOffset, message.byteOffset + message.byteLength);
      run(ws, () => ws.data.events.onMessage?.(new MessageEvent('message', { data }), context));
    },
    close(ws, code, reason) {
      sockets.delete(ws);
      const context = ws.data.context!;
      run(ws, () => ws.data.events.onClose?.(new CloseEvent('close', { code, reason }), context));
    },
    pong(ws) {
      heartbeat.answered(ws);
    },
    maxPayloadLength: options.maxFrameBytes ?? 64 * 1024,
    // Past this Bun drops messages silently; ours (4503) must come first.
    backpressureLimit: Math.max(16 * 1024 * 1024, 4 * (options.sendBufferLimit ?? 0)),
    closeOnBackpressureLimit: false,
    // The heartbeat here replaces Bun's idle timer and automatic pings, which run on
    // uWS's coarse timer (4 s steps). Bun still answers the peer's pings.
    idleTimeout: 0,
    sendPings: false,
  };

  return {
    upgradeWebSocket,
    websocket,
    remoteAddress: (c) => serverOf(c)?.requestIP?.(c.req.raw)?.address,
    sockets,
    stop: heartbeat.stop,
  };
}

/** Pings every socket every `intervalMs`; one that has not answered `timeoutMs` later is dropped. */
function startHeartbeat(sockets: Set<BunServerWebSocket>, intervalMs: number, timeoutMs: number) {
  const waiting = new WeakSet<BunServerWebSocket>();
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const interval =
    intervalMs > 0
      ? setInterval(() => {
          for (const ws of sockets) {
            waiting.add(ws);
            ws.ping();
          }
          clearTimeout(deadline);
          deadline = setTimeout(() => {
            for (const ws of sockets) if (waiting.has(ws)) drop(ws);
          }, timeoutMs);
        }, intervalMs)
      : undefined;
  // The heartbeat alone must not keep a host's process alive.
  (interval as { unref?: () => void } | undefined)?.unref?.();
  return {
    answered: (ws: BunServerWebSocket) => void waiting.delete(ws),
    stop() {
      clearInterval(interval);
      clearTimeout(deadline);
    },
  };
}

function drop(ws: BunServerWebSocket): void {
  // No close handshake with a peer that does not answer.
  if (ws.terminate) ws.terminate();
  else ws.close(1001, 'no pong');
}

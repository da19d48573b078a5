/**
 * What a Node server built on `@hono/node-ws` needs for the monitor, for node.ts and for
 * hosts that embed the monitor in their own Node app:
 *
 *   const { wss, upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
 *   const stop = configureNodeWebSocket(wss);
 *
 * - the frame limit: `ws` closes larger inbound frames with 1009 itself, before buffering;
 * - a heartbeat: a ping to every client every `heartbeatMs`; a client that has not answered
 *   `heartbeatTimeoutMs` later is dropped (terminate: no close handshake with a peer that
 *   does not answer);
 * - one write per socket per turn of the event loop (corkPerTick below);
 * - `ErrorEvent`, which @hono/node-ws constructs on a socket error and Node 20 lacks:
 *   without it an error (an oversized frame, say) throws inside ws's error handler.
 *
 * Only the `wss` passed in is touched (and the global ErrorEvent, if missing), so this is
 * safe to import on any runtime.
 */
import type WebSocket from 'ws';

export interface NodeWebSocketOptions {
  /** Default 64 KiB. */
  maxFrameBytes?: number;
  /** Default 25 000; 0: no heartbeat. */
  heartbeatMs?: number;
  /** Default 10 000. */
  heartbeatTimeoutMs?: number;
}

/** The part of ws's WebSocketServer used here. */
export interface NodeWebSocketServer {
  options: { maxPayload?: number };
  clients: Set<WebSocket>;
  on(event: 'connection', listener: (ws: WebSocket) => void): unknown;
}

/** Applies the frame limit and starts the heartbeat; returns a function that stops it. */
export function configureNodeWebSocket(wss: NodeWebSocketServer, options: NodeWebSocketOptions = {}): () => void {
  defineErrorEvent();
  wss.options.maxPayload = options.maxFrameBytes ?? 64 * 1024;
  wss.on('connection', corkPerTick);
  const intervalMs = options.heartbeatMs ?? 25_000;
  return intervalMs > 0 ? startHeartbeat(wss.clients, intervalMs, options.heartbeatTimeoutMs ?? 10_000) : () => {};
}

function defineErrorEvent(): void {
  const g = globalThis as { ErrorEvent?: unknown };
  g.ErrorEvent ??= class ErrorEvent extends Event {
    readonly error: unknown;
    readonly message: string;
    constructor(type: string, init: { error?: unknown; message?: string } = {}) {
      super(type);
      this.error = init.error;
      this.message = init.message ?? String(init.error ?? '');
    }
  };
}

function startHeartbeat(clients: Set<WebSocket>, intervalMs: number, timeoutMs: number): () => void {
  const waiting = new WeakSet<WebSocket>();
  const watched = new WeakSet<WebSocket>();
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const interval = setInterval(() => {
    for (const ws of clients) {
      if (!watched.has(ws)) {
        watched.add(ws);
        ws.on('pong', () => waiting.delete(ws));
      }
      waiting.add(ws);
      ws.ping();
    }
    clearTimeout(deadline);
    deadline = setTimeout(() => {
      for (const ws of clients) if (waiting.has(ws)) ws.terminate();
    }, timeoutMs);
  }, intervalMs);
  // The heartbeat alone must not keep the process alive.
  interval.unref?.();
  return () => {
    clearInterval(interval);
    clearTimeout(deadline);
  };
}

/**
 * Frames sent to one socket in the same turn of the event loop go out in one write: the
 * first send of a turn corks the TCP socket and a microtask at the end of the turn uncorks it. The hub
 * sends a batch of events (and a replay) as a run of sends; without this each frame is a
 * syscall of its own, which is most of what fan-out costs. Past CORK_BYTES the socket is
 * flushed at once, so that a burst does not look like a slow reader's backlog to the
 * send-buffer checks (bufferedAmount counts corked bytes).
 */
const CORK_BYTES = 16 * 1024;

function corkPerTick(ws: WebSocket): void {
  const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void; writableLength: number } })._socket;
  if (!socket) return;
  const send = ws.send.bind(ws) as (...args: unknown[]) => void;
  let corked = false;
  const uncork = (): void => {
    if (!corked) return;
    corked = false;
    socket.uncork();
  };
  (ws as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      queueMicrotask(uncork);
    }
    send(...args);
    if (socket.writableLength >= CORK_BYTES) uncork();
  };
}

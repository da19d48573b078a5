/**
 * The one WebSocket contract between the monitor and a runtime (as crossws's Peer and
 * Hono's adapters do it): each runtime's file (node-websocket.ts, bun-websocket.ts,
 * deno-websocket.ts) provides a `WebSocketKit` — upgrade, options, remote address, a
 * `Peer` per connection (send, close, buffered amount, an explicit batch hook), the
 * heartbeat and stop — and the monitor uses nothing else of the runtime's socket.
 *
 * This file touches no runtime global and no Node built-in: the core imports it.
 */
import type { Context } from 'hono';

/** One open WebSocket connection, as the monitor sees it on every runtime. */
export interface Peer {
  /** Queues a text frame. Never throws for a socket that is closing. */
  send(text: string): void;
  /**
   * Queues a text frame that many peers are sent alike (a live event). A runtime that can
   * encode the frame once for all of them provides this, and keeps its encoding in
   * `message.wire` (Node: the frame's bytes, so that each peer's send is one buffer
   * write with no per-peer UTF-8 encoding or framing). Without it, `send(message.json)`.
   */
  sendShared?(message: SharedMessage): void;
  /** Starts the close handshake with this code (a runtime may first flush what was sent). */
  close(code: number, reason: string): void;
  /**
   * Bytes handed to `send` and not yet written to the network. Inside `batch` a runtime
   * may count what that batch sent so far.
   */
  readonly bufferedAmount: number;
  /**
   * Runs `fn`; the frames it sends go out in as few writes as the runtime can make (Node
   * corks the TCP socket, Bun corks uWS). Without it each frame may be a write of its own.
   */
  batch(fn: () => void): void;
}

/** A text sent to many peers alike; `wire` is the runtime's own cache of its encoding. */
export interface SharedMessage {
  readonly json: string;
  wire?: unknown;
}

/** What the monitor does with a connection's life. */
export interface PeerHandlers {
  open(peer: Peer): void;
  /** A text frame as a string, a binary frame as an ArrayBuffer of exactly the frame. */
  message(peer: Peer, data: string | ArrayBuffer): void;
  /** The connection closed, by either side (1006 when it just went away). */
  close(peer: Peer, code: number): void;
}

export interface WebSocketOptions {
  /** Largest inbound frame; larger ones are closed with 1009 (default 64 KiB). */
  maxFrameBytes?: number;
  /** The monitor's send-buffer limit; a runtime with a limit of its own (Bun) sets it above. */
  sendBufferLimit?: number;
  /** Ping every this many ms (default 25 000; 0: no heartbeat). */
  heartbeatMs?: number;
  /** Drop a peer that has not answered a ping within this many ms (default 10 000). */
  heartbeatTimeoutMs?: number;
}

export type ResolvedWebSocketOptions = Required<WebSocketOptions>;

export const WEBSOCKET_DEFAULTS: ResolvedWebSocketOptions = {
  maxFrameBytes: 64 * 1024,
  sendBufferLimit: 1024 * 1024,
  heartbeatMs: 25_000,
  heartbeatTimeoutMs: 10_000,
};

export function resolveWebSocketOptions(options: WebSocketOptions = {}): ResolvedWebSocketOptions {
  return {
    maxFrameBytes: options.maxFrameBytes ?? WEBSOCKET_DEFAULTS.maxFrameBytes,
    sendBufferLimit: options.sendBufferLimit ?? WEBSOCKET_DEFAULTS.sendBufferLimit,
    heartbeatMs: options.heartbeatMs ?? WEBSOCKET_DEFAULTS.heartbeatMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? WEBSOCKET_DEFAULTS.heartbeatTimeoutMs,
  };
}

/** What a runtime gives the monitor: the whole of its WebSocket side. */
export interface WebSocketKit {
  /** 'hono': any runtime, through one of Hono's own helpers (hono-websocket.ts). */
  readonly runtime: 'node' | 'bun' | 'deno' | 'hono';
  readonly options: ResolvedWebSocketOptions;
  /**
   * Upgrades the request (already known to be a WebSocket upgrade, see
   * `isWebSocketUpgrade`) and wires the connection to `handlers`. Returns the response the
   * route returns.
   */
  upgrade(c: Context, handlers: PeerHandlers): Response | Promise<Response>;
  /** The peer's address, for the failed-auth limit and the audit log. */
  remoteAddress(c: Context): string | undefined;
  /** Stops the heartbeat (connections stay open). */
  stop(): void;
}

/** `Upgrade` is a comma-separated list of protocols, compared case-insensitively (RFC 7230). */
export function isWebSocketUpgrade(header: string | undefined | null): boolean {
  if (header === 'websocket') return true; // what every client sends: no list to split
  return header?.split(',').some((token) => token.trim().toLowerCase() === 'websocket') ?? false;
}

/** The first subprotocol the client offered, which the server echoes (or ''). */
export function firstSubprotocol(header: string | undefined | null): string {
  return header?.split(',')[0]?.trim() ?? '';
}

/** Pings sent in one turn of the event loop; the rest of a sweep follows in later turns. */
export const PING_SLICE = 100;

/**
 * Pings every peer every `intervalMs`; one that has not answered `timeoutMs` after a ping is
 * dropped. Node and Bun use it (Deno pings by itself, see deno-websocket.ts). The runtime
 * calls `answered` on a pong.
 *
 * Each round has its own deadline, which drops the peers still waiting since that round or
 * an earlier one: a timeout longer than the interval still drops a silent peer (one shared
 * deadline, reset at each ping, would never fire), and a peer that answered this round is
 * not dropped for the next one's ping.
 */
export function startHeartbeat<S>(
  sockets: Iterable<S>,
  intervalMs: number,
  timeoutMs: number,
  ping: (socket: S) => void,
  drop: (socket: S) => void,
): { answered(socket: S): void; stop(): void } {
  /** When each peer that has not answered was first pinged without an answer (its round). */
  const waitingSince = new WeakMap<S & object, number>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (fn: () => void, ms: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    timers.add(timer);
  };
  let round = 0;
  const sweep = (): void => {
    const thisRound = ++round;
    const peers = [...sockets];
    let next = 0;
    // A slice of pings per turn of the event loop: 1000 pings in one turn are 1000 writes
    // (10–15 ms) that every live event queued behind them waits for.
    const pingSlice = (): void => {
      const end = Math.min(peers.length, next + PING_SLICE);
      for (; next < end; next++) {
        const socket = peers[next]!;
        if (!waitingSince.has(socket as S & object)) waitingSince.set(socket as S & object, thisRound);
        try {
          ping(socket);
        } catch {
          // A peer that closed since the sweep began may refuse a ping; it is gone anyway.
        }
      }
      if (next < peers.length) {
        later(pingSlice, 0);
        return;
      }
      later(() => {
        for (const socket of sockets) {
          const since = waitingSince.get(socket as S & object);
          if (since !== undefined && since <= thisRound) drop(socket);
        }
      }, timeoutMs);
    };
    pingSlice();
  };
  const interval = intervalMs > 0 ? setInterval(sweep, intervalMs) : undefined;
  // The heartbeat alone must not keep a host's process alive.
  (interval as { unref?: () => void } | undefined)?.unref?.();
  return {
    answered: (socket) => void waitingSince.delete(socket as S & object),
    stop() {
      clearInterval(interval);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

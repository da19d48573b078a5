/**
 * Hono's WebSocket upgrade for Deno, re-implemented: `hono/deno` compares the `Upgrade`
 * header case-sensitively (`Upgrade: WebSocket`, which RFC 6455 allows and some proxies and
 * clients send, fails there with "Failed to upgrade WebSocket"; `Deno.upgradeWebSocket`
 * itself accepts any case), and two of Deno's socket behaviours need care (see
 * `DenoSocketHandle`). For the CLI (deno.ts) and for hosts that embed the monitor in their
 * own `Deno.serve`:
 *
 *   app.route('/tmux', createMonitor({ ...createDenoWebSocket(), source, auth }));
 *   Deno.serve(app.fetch);
 *
 * No Deno globals are touched until a request is upgraded, so the package root can
 * export this on every runtime.
 */
import type { Context } from 'hono';
import { defineWebSocketHelper, WSContext, type UpgradeWebSocket } from 'hono/ws';

/** The options of `Deno.upgradeWebSocket`. */
export interface DenoUpgradeOptions {
  protocol?: string;
  /** Seconds of silence before Deno pings the peer; it closes (1001) half as long again without an answer. 0: off. Deno's default: 30. */
  idleTimeout?: number;
}

/** The part of Deno's server-side WebSocket we use (Deno's own types are not installed). */
export interface DenoWebSocket extends EventTarget {
  readonly readyState: number;
  readonly protocol: string;
  readonly url: string;
  /** Bytes queued by send() and not yet written to the network. */
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

interface DenoUpgradeApi {
  upgradeWebSocket(request: Request, options?: DenoUpgradeOptions): { response: Response; socket: DenoWebSocket };
}

export function isWebSocketUpgrade(header: string | undefined | null): boolean {
  // A list is allowed (`Upgrade: h2c, websocket`); tokens are case-insensitive.
  return header?.split(',').some((token) => token.trim().toLowerCase() === 'websocket') ?? false;
}

/**
 * What our WSContext's `raw` is on Deno: the socket, plus a send-buffer reading the core can
 * trust (see `bufferedAmount`).
 */
export interface DenoSocketHandle {
  readonly socket: DenoWebSocket;
  /**
   * Bytes queued and not yet written, leaving out what was sent in the current turn of the
   * event loop to a socket that had nothing queued when the turn began. Deno writes in a
   * task that runs only after JavaScript yields, so during one batch of sends its raw
   * `bufferedAmount` counts the whole batch, even for a reader that keeps up, and the core
   * would take every reader for a slow one. (Node's and Bun's sockets write at once.) A
   * socket that still had bytes queued from earlier turns is behind: all of it counts.
   */
  readonly bufferedAmount: number;
  send(data: string | ArrayBuffer | Uint8Array): void;
  /**
   * Closes once what was sent before has been written and the peer has paused. Deno tears
   * the connection down as soon as a frame arrives after `close()`, and a close frame not
   * yet written by then is lost: the peer sees 1006 instead of 4429, 4401, … (a client that
   * floods is exactly the one that gets closed). Waits at most `flushMs`.
   */
  close(code?: number, reason?: string): void;
}

const FLUSH_POLL_MS = 2;
const FLUSH_MS = 1000;
/** How long the peer must have sent nothing before we close. */
const QUIET_MS = 50;

export function denoSocketHandle(socket: DenoWebSocket, flushMs = FLUSH_MS): DenoSocketHandle {
  let sentThisTurn = 0;
  /** Bytes still queued from earlier turns when this turn's first send was made. */
  let queuedBefore = 0;
  let turn: ReturnType<typeof setTimeout> | undefined;
  let closing = false;
  let lastReceived = 0;
  socket.addEventListener('message', () => (lastReceived = Date.now()));
  return {
    socket,
    get bufferedAmount() {
      const queued = socket.bufferedAmount;
      return queuedBefore > 0 ? queued : Math.max(0, queued - sentThisTurn);
    },
    send(data) {
      if (closing) return;
      if (turn === undefined) {
        queuedBefore = socket.bufferedAmount;
        turn = setTimeout(() => {
          sentThisTurn = 0;
          queuedBefore = 0;
          turn = undefined;
        }, 0);
      }
      socket.send(data);
      sentThisTurn += typeof data === 'string' ? data.length : data.byteLength;
    },
    close(code, reason) {
      if (closing) return;
      closing = true;
      const started = Date.now();
      const attempt = () => {
        if (socket.readyState !== 1) return;
        const now = Date.now();
        if ((socket.bufferedAmount > 0 || now - lastReceived < QUIET_MS) && now - started < flushMs) {
          setTimeout(attempt, FLUSH_POLL_MS);
          return;
        }
        socket.close(code, reason);
      };
      attempt();
    },
  };
}

export const upgradeWebSocket: UpgradeWebSocket<DenoSocketHandle, DenoUpgradeOptions> = defineWebSocketHelper<DenoSocketHandle, DenoUpgradeOptions>(
  async (c, events, options) => {
    if (!isWebSocketUpgrade(c.req.header('upgrade'))) return;
    const deno = (globalThis as unknown as { Deno: DenoUpgradeApi }).Deno;
    const subprotocol = c.req.header('sec-websocket-protocol')?.split(',')[0]?.trim();
    const { response, socket } = deno.upgradeWebSocket(c.req.raw, {
      ...(subprotocol ? { protocol: subprotocol } : {}),
      ...options,
    });
    // Binary frames as ArrayBuffer, as on the other runtimes (Deno's default is Blob).
    socket.binaryType = 'arraybuffer';
    const handle = denoSocketHandle(socket);
    // One context for the socket's whole life; `raw.bufferedAmount` is what the core reads.
    const context = new WSContext<DenoSocketHandle>({
      raw: handle,
      get protocol() {
        return socket.protocol;
      },
      get readyState() {
        return socket.readyState as 0 | 1 | 2 | 3;
      },
      url: socket.url ? new URL(socket.url) : null,
      send: (data) => handle.send(data),
      close: (code, reason) => handle.close(code, reason),
    });
    socket.onopen = (event) => events.onOpen?.(event, context);
    socket.onmessage = (event) => events.onMessage?.(event, context);
    socket.onclose = (event) => events.onClose?.(event, context);
    socket.onerror = (event) => events.onError?.(event, context);
    return response;
  },
);

/** `Deno.upgradeWebSocket`'s idleTimeout for a ping every `intervalMs` and `timeoutMs` to answer. */
export function denoIdleTimeout(intervalMs: number, timeoutMs: number): number {
  // Deno pings after half the idle timeout of silence and gives up after the other half:
  // a dead peer is dropped after interval + timeout of silence, as on Node and Bun.
  return (intervalMs + timeoutMs) / 1000;
}

/** The peer's address: `Deno.serve` passes it as the handler's second argument, Hono's `c.env`. */
export function denoRemoteAddress(c: Context): string | undefined {
  return (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname;
}

export interface DenoWebSocketOptions {
  /** Ping a silent peer after about this many ms (default 25 000; 0: no heartbeat). */
  heartbeatMs?: number;
  /** Drop it when no pong follows within about this many ms (default 10 000). */
  heartbeatTimeoutMs?: number;
}

/** The three `createMonitor` options a Deno host sets: spread them into its options. */
export function createDenoWebSocket(options: DenoWebSocketOptions = {}): {
  upgradeWebSocket: typeof upgradeWebSocket;
  upgradeOptions: DenoUpgradeOptions;
  remoteAddress: (c: Context) => string | undefined;
} {
  const heartbeatMs = options.heartbeatMs ?? 25_000;
  return {
    upgradeWebSocket,
    upgradeOptions: { idleTimeout: heartbeatMs > 0 ? denoIdleTimeout(heartbeatMs, options.heartbeatTimeoutMs ?? 10_000) : 0 },
    remoteAddress: denoRemoteAddress,
  };
}

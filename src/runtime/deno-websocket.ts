/**
 * Deno's WebSocket kit (the contract in websocket.ts), on `Deno.upgradeWebSocket`. For
 * deno.ts and for hosts that embed the monitor in their own `Deno.serve`:
 *
 *   app.route('/tmux', createMonitor({ websocket: createDenoWebSocket(), source, auth }));
 *   Deno.serve(app.fetch);
 *
 * Two of Deno's socket behaviours need care (see `denoPeer`). Deno has no max-payload
 * option: frames over the limit are closed with 1009 by the monitor once received. Its
 * heartbeat is the `idleTimeout` upgrade option.
 *
 * No Deno globals are touched until a request is upgraded, so the package root can
 * export this on every runtime.
 */
import type { Context } from 'hono';
import { firstSubprotocol, resolveWebSocketOptions, type Peer, type WebSocketKit, type WebSocketOptions } from './websocket.ts';

/** The options of `Deno.upgradeWebSocket`. */
export interface DenoUpgradeOptions {
  protocol?: string;
  /** Seconds of silence before Deno pings the peer; it closes (1001) half as long again without an answer. 0: off. */
  idleTimeout?: number;
}

/** The part of Deno's server-side WebSocket we use (Deno's own types are not installed). */
export interface DenoWebSocket extends EventTarget {
  readonly readyState: number;
  readonly protocol: string;
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

const FLUSH_POLL_MS = 2;
const FLUSH_MS = 1000;
/** How long the peer must have sent nothing before we close. */
const QUIET_MS = 50;

/**
 * A Deno socket as a Peer, with two adjustments:
 *
 * - `bufferedAmount` leaves out what was sent in the current turn of the event loop to a
 *   socket that had nothing queued when the turn began. Deno writes in a task that runs
 *   only after JavaScript yields, so during one batch of sends its raw `bufferedAmount`
 *   counts the whole batch, even for a reader that keeps up, and the monitor would take
 *   every reader for a slow one. (Node's and Bun's sockets write at once.) A socket that
 *   still had bytes queued from earlier turns is behind: all of it counts. At most
 *   `leaveOutAtMost` is left out (the kit passes a quarter of the send-buffer limit): a
 *   turn can be long — Deno reads a busy pipe many times before it yields (see `paced`) —
 *   and a paused reader whose kernel buffer filled during such a turn held more than the
 *   limit unseen, then got 4503 where the contract says drop output and send
 *   `system.lagged`. With the bound, its output is dropped by ¾ of the limit at the latest.
 * - `close` waits until what was sent before has been written and the peer has paused.
 *   Deno tears the connection down as soon as a frame arrives after `close()`, and a close
 *   frame not yet written by then is lost: the peer sees 1006 instead of 4429, 4401, … (a
 *   client that floods is exactly the one that gets closed). Waits at most `flushMs`.
 *
 * `batch` needs nothing: Deno writes after JavaScript yields anyway.
 */
export function denoPeer(socket: DenoWebSocket, leaveOutAtMost: number, flushMs = FLUSH_MS): Peer {
  let sentThisTurn = 0;
  /** Bytes still queued from earlier turns when this turn's first send was made. */
  let queuedBefore = 0;
  let turn: ReturnType<typeof setTimeout> | undefined;
  let closing = false;
  let lastReceived = 0;
  socket.addEventListener('message', () => (lastReceived = Date.now()));
  return {
    get bufferedAmount() {
      const queued = socket.bufferedAmount;
      return queuedBefore > 0 ? queued : Math.max(0, queued - Math.min(sentThisTurn, leaveOutAtMost));
    },
    send(text) {
      if (closing || socket.readyState !== 1) return;
      if (turn === undefined) {
        queuedBefore = socket.bufferedAmount;
        turn = setTimeout(() => {
          sentThisTurn = 0;
          queuedBefore = 0;
          turn = undefined;
        }, 0);
      }
      socket.send(text);
      sentThisTurn += text.length;
    },
    batch: (fn) => fn(),
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

export type DenoWebSocketOptions = WebSocketOptions;

export function createDenoWebSocket(options: DenoWebSocketOptions = {}): WebSocketKit {
  const resolved = resolveWebSocketOptions(options);
  const idleTimeout = resolved.heartbeatMs > 0 ? denoIdleTimeout(resolved.heartbeatMs, resolved.heartbeatTimeoutMs) : 0;
  return {
    runtime: 'deno',
    options: resolved,
    upgrade(c, handlers) {
      const deno = (globalThis as unknown as { Deno: DenoUpgradeApi }).Deno;
      const protocol = firstSubprotocol(c.req.header('sec-websocket-protocol'));
      const { response, socket } = deno.upgradeWebSocket(c.req.raw, { ...(protocol ? { protocol } : {}), idleTimeout });
      // Binary frames as ArrayBuffer, as on the other runtimes (Deno's default is Blob).
      socket.binaryType = 'arraybuffer';
      const peer = denoPeer(socket, resolved.sendBufferLimit / 4);
      socket.onopen = () => handlers.open(peer);
      socket.onmessage = (event) => handlers.message(peer, event.data as string | ArrayBuffer);
      socket.onclose = (event) => handlers.close(peer, event.code);
      // The close event follows.
      socket.onerror = () => {};
      return response;
    },
    remoteAddress: denoRemoteAddress,
    // Deno's idleTimeout pings by itself; there is nothing of ours to stop.
    stop: () => {},
  };
}

/**
 * Node's WebSocket kit (the contract in websocket.ts), on the `ws` package. For node.ts and
 * for hosts that embed the monitor in their own Node app:
 *
 *   const ws = createNodeWebSocket();
 *   app.route('/tmux', createMonitor({ websocket: ws, source, auth }));
 *   ws.attach(serve({ fetch: app.fetch, port: 3000 }), app.fetch);
 *
 * `attach` takes the HTTP server's `upgrade` requests through the app (so the monitor's
 * route decides: 101, or 403/426/503 with its body), and hands the accepted ones to `ws`.
 * Because the upgrade passes through here, the kit holds the connection's TCP socket
 * (the `upgrade` event's own argument) and corks it for a batch through Node's public
 * API. `ws` closes inbound frames over `maxFrameBytes` with 1009 before buffering them.
 *
 * Touches only what it is given: safe to import on any runtime.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context } from 'hono';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  resolveWebSocketOptions,
  startHeartbeat,
  type Peer,
  type PeerHandlers,
  type SharedMessage,
  type WebSocketKit,
  type WebSocketOptions,
} from './websocket.ts';

export type NodeWebSocketOptions = WebSocketOptions;

/** The part of a Node HTTP(S) server `attach` uses. */
export interface UpgradeEmitter {
  on(event: 'upgrade', listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
}

/** What Hono's `c.env` is on Node (as @hono/node-server passes it): the request's own objects. */
export interface NodeEnv {
  incoming: IncomingMessage;
  outgoing?: unknown;
}

export type NodeFetch = (request: Request, env: NodeEnv) => Response | Promise<Response>;

export interface NodeWebSocketKit extends WebSocketKit {
  /** Routes `server`'s WebSocket upgrade requests through `fetch` (your app's). */
  attach(server: UpgradeEmitter, fetch: NodeFetch): void;
  /** Connections open now. */
  readonly openCount: number;
  /** Drops every connection at once (no close handshake): the end of a shutdown. */
  terminateAll(): void;
}

/**
 * Frames sent in one batch are written together, but past this many bytes the socket is
 * flushed at once: a burst then reaches the network as it is made, and the send-buffer
 * reading stays about the reader, not about our own batch.
 */
const FLUSH_BYTES = 64 * 1024;

/** Where a socket's shared listeners find its peer. */
const PEER = Symbol('peer');
type PeeredWebSocket = WebSocket & { [PEER]?: NodePeer };

class NodePeer implements Peer {
  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    readonly handlers: PeerHandlers,
  ) {
    (ws as PeeredWebSocket)[PEER] = this;
  }

  send(text: string): void {
    if (this.ws.readyState !== 1) return;
    this.ws.send(text);
    this.flushIfFull();
  }

  /**
   * A live event: its frame is encoded once, by the first peer that sends it, and written
   * as it is to every socket. Writing past `ws` is safe here because `ws` writes every
   * frame at once (no permessage-deflate, no blobs: its sender never queues), so frames
   * from both reach the socket in the order they are made, and `ws.bufferedAmount` reads
   * the socket's own buffer, which counts these writes too.
   */
  sendShared(message: SharedMessage): void {
    if (this.ws.readyState !== 1) return;
    let frame = message.wire;
    if (!(frame instanceof Uint8Array)) frame = message.wire = textFrame(message.json);
    this.socket.write(frame as Uint8Array);
    this.flushIfFull();
  }

  private flushIfFull(): void {
    if (this.corked && this.socket.writableLength >= FLUSH_BYTES) {
      this.socket.uncork();
      this.socket.cork();
    }
  }

  close(code: number, reason: string): void {
    try {
      this.ws.close(code, reason);
    } catch {
      // A code ws will not send (1006) or a socket already gone: drop it.
      this.ws.terminate();
    }
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  batch(fn: () => void): void {
    if (this.corked) return fn();
    this.corked = true;
    this.socket.cork();
    try {
      fn();
    } finally {
      this.corked = false;
      this.socket.uncork();
    }
  }
}

/** Runs a handler of the monitor's; one that throws closes its connection, not ws's parser. */
function guard(peer: NodePeer, fn: () => void): void {
  try {
    fn();
  } catch {
    peer.close(1011, 'internal error');
  }
}

function onMessage(this: PeeredWebSocket, data: Buffer, isBinary: boolean): void {
  const peer = this[PEER];
  if (!peer) return;
  const message = isBinary ? (data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer) : data.toString();
  guard(peer, () => peer.handlers.message(peer, message));
}

function onClose(this: PeeredWebSocket, code: number): void {
  const peer = this[PEER];
  if (peer) guard(peer, () => peer.handlers.close(peer, code));
}

/** An error (a frame over maxPayload, a bad frame) is followed by the close event. */
function ignoreError(): void {}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** An unmasked, final text frame (RFC 6455 §5.2) holding `text`: what `ws` would write for it. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81;
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, head, 'utf8');
  return frame;
}

export function createNodeWebSocket(options: NodeWebSocketOptions = {}): NodeWebSocketKit {
  const resolved = resolveWebSocketOptions(options);
  // No permessage-deflate (ws's default for servers, said here because sendShared relies on it).
  const wss = new WebSocketServer({ noServer: true, maxPayload: resolved.maxFrameBytes, perMessageDeflate: false });
  const heartbeat = startHeartbeat(
    wss.clients,
    resolved.heartbeatMs,
    resolved.heartbeatTimeoutMs,
    (ws) => ws.ping(),
    // No close handshake with a peer that does not answer.
    (ws) => ws.terminate(),
  );
  /** What the route returns for an accepted upgrade; made at the first (reading `Response` loads undici). */
  let acceptedResponse: Response | undefined;
  /** Requests the app accepted, with what to wire their connection to. */
  const accepted = new WeakMap<IncomingMessage, PeerHandlers>();

  // One listener of each kind serves every socket (`this` is the socket): a connection
  // then holds no closures of its own.
  function onPong(this: WebSocket): void {
    heartbeat.answered(this);
  }
  const wire = (ws: WebSocket, socket: Duplex, handlers: PeerHandlers): void => {
    const peer = new NodePeer(ws, socket, handlers);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', ignoreError);
    ws.on('pong', onPong);
    guard(peer, () => handlers.open(peer));
  };

  const handleUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer, fetch: NodeFetch): Promise<void> => {
    socket.on('error', destroyOnError);
    let response: Response;
    try {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
      const headers = new UpgradeHeaders(request.headers);
      response = await fetch(upgradeRequest(request.method ?? 'GET', url.href, headers), { incoming: request, outgoing: undefined });
    } catch {
      response = new Response(null, { status: 400 });
    }
    const handlers = accepted.get(request);
    if (!handlers) {
      await refuse(socket, response);
      return;
    }
    accepted.delete(request);
    // ws answers 101 and calls back at once: corked, the answer and `connection.established`
    // (sent on open) leave in one write.
    socket.cork();
    try {
      wss.handleUpgrade(request, socket, head, (ws) => wire(ws, socket, handlers));
    } finally {
      socket.uncork();
    }
  };

  return {
    runtime: 'node',
    options: resolved,
    upgrade(c: Context, handlers: PeerHandlers) {
      const incoming = (c.env as Partial<NodeEnv> | undefined)?.incoming;
      if (!incoming) throw new TypeError('the Node WebSocket kit must be attached to the server: ws.attach(server, app.fetch)');
      accepted.set(incoming, handlers);
      // Not sent (attach() answers the upgrade itself), so one serves every upgrade.
      return (acceptedResponse ??= new Response(null));
    },
    remoteAddress: (c) => (c.env as Partial<NodeEnv> | undefined)?.incoming?.socket?.remoteAddress,
    stop: heartbeat.stop,
    attach(server, fetch) {
      server.on('upgrade', (request, socket, head) => void handleUpgrade(request, socket, head, fetch));
    },
    get openCount() {
      return wss.clients.size;
    },
    terminateAll() {
      for (const ws of wss.clients) ws.terminate();
    },
  };
}

/**
 * An upgrade request as the app sees it: method, URL and headers, with a real `Request` made
 * only if something asks for more (its body, its signal, …), as @hono/node-server does for
 * every request. Making an undici `Request` (an AbortSignal, the checks of its init) for each
 * upgrade was a tenth of what a connection cost the server.
 */
class UpgradeRequest {
  #real: Request | undefined;
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: UpgradeHeaders,
  ) {}
  /** The request in full, made the first time anything else is asked of it. */
  real(): Request {
    return (this.#real ??= new Request(this.url, { method: this.method, headers: this.headers.real() }));
  }
}

/**
 * The upgrade's headers: `get` and `has` read Node's parsed headers directly (what the
 * route asks: Host, Upgrade, Origin, Authorization); anything else is answered by a real
 * `Headers` made the first time it is needed. (Node joins repeated headers with ", " as
 * `Headers` does; Set-Cookie, the exception, is not a request header.)
 */
class UpgradeHeaders {
  #real: Headers | undefined;
  constructor(private readonly raw: IncomingMessage['headers']) {}
  get(name: string): string | null {
    if (this.#real) return this.#real.get(name);
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.#real ? this.#real.has(name) : this.raw[name.toLowerCase()] !== undefined;
  }
  real(): Headers {
    if (!this.#real) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(this.raw)) {
        if (value === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
      }
      this.#real = headers;
    }
    return this.#real;
  }
  set(name: string, value: string): void {
    this.real().set(name, value);
  }
  append(name: string, value: string): void {
    this.real().append(name, value);
  }
  delete(name: string): void {
    this.real().delete(name);
  }
  forEach(fn: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.real().forEach(fn, thisArg);
  }
  getSetCookie(): string[] {
    return this.real().getSetCookie();
  }
  entries(): IterableIterator<[string, string]> {
    return this.real().entries();
  }
  keys(): IterableIterator<string> {
    return this.real().keys();
  }
  values(): IterableIterator<string> {
    return this.real().values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.real().entries();
  }
}
let upgradeRequestReady = false;

function upgradeRequest(method: string, url: string, headers: UpgradeHeaders): Request {
  if (!upgradeRequestReady) {
    // Done at the first upgrade, not at import: reading `Request` loads Node's fetch classes.
    const proto = UpgradeRequest.prototype as unknown as Record<string, unknown>;
    const delegated = [
      'body',
      'bodyUsed',
      'cache',
      'credentials',
      'destination',
      'integrity',
      'mode',
      'redirect',
      'referrer',
      'referrerPolicy',
      'signal',
      'keepalive',
    ];
    for (const key of delegated) {
      Object.defineProperty(proto, key, {
        get(this: UpgradeRequest) {
          return (this.real() as unknown as Record<string, unknown>)[key];
        },
      });
    }
    for (const key of ['arrayBuffer', 'blob', 'clone', 'formData', 'json', 'text', 'bytes']) {
      Object.defineProperty(proto, key, {
        value(this: UpgradeRequest) {
          return (this.real() as unknown as Record<string, () => unknown>)[key]!();
        },
      });
    }
    Object.setPrototypeOf(proto, Request.prototype);
    upgradeRequestReady = true;
  }
  return new UpgradeRequest(method, url, headers) as unknown as Request;
}

/** Answers a refused upgrade with the app's response (status and body), then closes. */
async function refuse(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
  const type = response.headers.get('content-type');
  const head =
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\nConnection: close\r\n` +
    (type ? `Content-Type: ${type}\r\n` : '') +
    `Content-Length: ${body.byteLength}\r\n\r\n`;
  if (socket.writable) socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  else socket.destroy();
}

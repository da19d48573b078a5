/**
 * TmuxMonitor: a client of the tmux-monitor WebSocket protocol (docs/client.md).
 *
 * One object survives any number of connections. Each connection goes:
 *   socket → `connection.established` → `auth` → ready ('open') → resubscribe → resume done.
 * While resubscribing, events are held back, then delivered sorted by `seq` and without
 * repeats, because several subscriptions replay independently and may overlap.
 *
 * Runs anywhere with a WebSocket (browsers, Node, Bun, Deno): no Node built-ins here.
 */
import type { CloseCode, ErrorCode } from '../protocol/errors.ts';
import type { MonitorEvent } from '../protocol/events.ts';
import type {
  AckResult,
  AuthResponse,
  CommandResult,
  ConnectionEstablished,
  ErrorMessage,
  ReplayComplete,
  RequestId,
  ServerMessage,
  SubscriptionConfirmed,
} from '../protocol/messages.ts';
import type { SnapshotData, Target } from '../protocol/snapshot.ts';
import { backoffDelay } from './backoff.ts';
import { TmuxMonitorError } from './errors.ts';
import { EventStream } from './event-stream.ts';
import { jwtExpiry, refreshDelay } from './jwt.ts';
import { Listeners } from './listeners.ts';
import { loadWs } from './load-ws.ts';
import { Subscription, type SubscriptionRecord } from './subscription.ts';
import { parseTarget, toCommandTarget, type CommandTarget } from './target.ts';
import type {
  AuthInfo,
  CloseEvent,
  ConnectionState,
  EventPattern,
  EventsMatching,
  GapEvent,
  LifecycleEventMap,
  LifecycleEventName,
  ReconnectOptions,
  SubscribeFilters,
  TmuxMonitorOptions,
} from './types.ts';
import { monitorUrl } from './url.ts';
import { OPEN, resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from './websocket.ts';

/** Close codes after which reconnecting cannot help (the protocol's list). */
const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403, 1009] satisfies CloseCode[]);
/** setTimeout's largest delay; longer waits are split. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Retry a failed token refresh this often while the old token is still valid. */
const TOKEN_RETRY_MS = 5_000;

type Timer = ReturnType<typeof setTimeout>;

/** One WebSocket connection and what the monitor knows about it. */
interface Connection {
  socket: WebSocketLike;
  /** The token sent in `auth` (the latest, after a refresh). */
  token: string | undefined;
  epoch: string | null;
  clientId: string | null;
  /** Authenticated (or no auth needed): requests may be sent. */
  ready: boolean;
  resume: Resume | null;
  /** The last `error` not tied to a request: explains a close that follows it. */
  lastError: ErrorMessage | null;
  closed: boolean;
  connectTimer: Timer | undefined;
  refreshTimer: Timer | undefined;
  keepalive: ReturnType<typeof setInterval> | undefined;
  /** When the last frame arrived (keepalive: a silent connection is pinged, then dropped). */
  lastMessageAt: number;
  /** When the keepalive ping still unanswered was sent. */
  pingSentAt: number | null;
}

/** Resubscribing after (re)connecting: events are held until every subscription is back. */
interface Resume {
  /** Subscribe requests not yet finished (replay.complete, or confirmation when not resuming). */
  waiting: Set<RequestId>;
  held: MonitorEvent[];
  previousEpoch: string | null;
  /** The last seq seen before this connection, in previousEpoch. */
  since: number;
  reconnected: boolean;
  gap: GapEvent['reason'] | null;
  snapshot: 'none' | 'requested' | 'done';
  gapSnapshot?: SnapshotData;
}

type RequestKind = 'snapshot' | 'command' | 'unsubscribe' | 'ping' | 'ack';

interface PendingRequest {
  kind: RequestKind;
  message: Record<string, unknown> & { id: RequestId };
  resolve: (value: unknown) => void;
  reject: (error: TmuxMonitorError) => void;
  timer: Timer;
  /** Sent on the current connection (else queued until it is ready). */
  sent: boolean;
}

interface SubscribeRequest {
  record: SubscriptionRecord;
  conn: Connection;
  /** Sent with `since`: a `replay.complete` will follow. */
  resuming: boolean;
}

interface SnapshotOptions {
  /** Include each pane's last `lines` lines of text (0–2000; needs the `output` permission). */
  lines?: number;
  /** Keep colours (SGR sequences) in `content` (v1.1). */
  escapes?: boolean;
}

interface SendOptions {
  /** Press Enter after the text (default true). */
  enter?: boolean;
}

export class TmuxMonitor {
  /** The WebSocket URL, with `/monitor` appended when no path was given. */
  readonly url: string;

  readonly #options: TmuxMonitorOptions;
  readonly #reconnect: ReconnectOptions | null;
  readonly #listeners = new Listeners();
  readonly #streams = new Set<EventStream<MonitorEvent>>();
  readonly #records = new Set<SubscriptionRecord>();
  /** First confirmation of each subscribe() call. */
  readonly #settles = new Map<SubscriptionRecord, { resolve: (s: Subscription) => void; reject: (e: TmuxMonitorError) => void }>();
  readonly #subscribeRequests = new Map<RequestId, SubscribeRequest>();
  readonly #authRequests = new Set<RequestId>();
  readonly #pending = new Map<RequestId, PendingRequest>();

  #state: ConnectionState = 'connecting';
  #conn: Connection | null = null;
  #epoch: string | null = null;
  #lastSeq = 0;
  #auth: AuthInfo | null = null;
  #hasOpened = false;
  /** Failed connection attempts in a row. */
  #attempts = 0;
  #reconnectTimer: Timer | undefined;
  #nextId = 1;
  #closeError: TmuxMonitorError | undefined;

  constructor(url: string | URL, options: TmuxMonitorOptions = {}) {
    this.url = monitorUrl(url);
    this.#options = options;
    this.#reconnect =
      options.reconnect === false ? null : options.reconnect === true || options.reconnect === undefined ? {} : options.reconnect;
    void this.#connect();
  }

  // ── State ────────────────────────────────────────────────────────────────

  get state(): ConnectionState {
    return this.#state;
  }

  /** The `seq` of the last event delivered (0 before any, and after an epoch change). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The server's epoch, once connected. A new epoch means the server restarted. */
  get epoch(): string | null {
    return this.#epoch;
  }

  /** Role, permissions and sessions of the token, after `auth`. */
  get auth(): AuthInfo | null {
    return this.#auth;
  }

  /** The server's id for the current connection. */
  get clientId(): string | null {
    return this.#conn?.clientId ?? null;
  }

  // ── Events ───────────────────────────────────────────────────────────────

  /**
   * Listen to events of a type (`agent.status`), a family (`pane.*`) or all (`*`), or to a
   * lifecycle event (`open`, `close`, `reconnecting`, `resumed`, `gap`, `error`, `auth`).
   * Returns a function that removes the listener.
   */
  on<P extends EventPattern>(pattern: P, listener: (event: EventsMatching<P>) => void): () => void;
  on<L extends LifecycleEventName>(name: L, listener: (event: LifecycleEventMap[L]) => void): () => void;
  on(name: string, listener: (event: never) => void): () => void {
    return this.#listeners.add(name, listener);
  }

  off<P extends EventPattern>(pattern: P, listener: (event: EventsMatching<P>) => void): void;
  off<L extends LifecycleEventName>(name: L, listener: (event: LifecycleEventMap[L]) => void): void;
  off(name: string, listener: (event: never) => void): void {
    this.#listeners.remove(name, listener);
  }

  /**
   * Every event of every subscription from now on, in `seq` order. Ends on `close()`;
   * throws a TmuxMonitorError when the connection ends for good (terminal close code).
   */
  events(): AsyncIterableIterator<MonitorEvent> {
    const stream: EventStream<MonitorEvent> = new EventStream(() => this.#streams.delete(stream));
    if (this.#state === 'closed') stream.finish(this.#closeError);
    else this.#streams.add(stream);
    return stream;
  }

  // ── Requests ─────────────────────────────────────────────────────────────

  /**
   * Subscribe to events matching `filters` (all lists optional: see the protocol's Filters).
   * Resolves once the server confirms; the subscription is restored after every reconnect.
   */
  subscribe(filters: SubscribeFilters = {}): Promise<Subscription> {
    if (this.#state === 'closed') return Promise.reject(this.#closedError());
    const record: SubscriptionRecord = {
      requested: filters,
      filters: null,
      serverId: null,
      confirmedSeq: null,
      pendingId: null,
      active: true,
    };
    this.#records.add(record);
    const promise = new Promise<Subscription>((resolve, reject) => this.#settles.set(record, { resolve, reject }));
    const conn = this.#conn;
    if (conn?.ready) this.#sendSubscribe(conn, record);
    return promise;
  }

  /** Re-read state: the whole tree, or a session / window / pane (`"name:1.0"` works too). */
  snapshot(target?: Target | string, options: SnapshotOptions = {}): Promise<SnapshotData> {
    const message: Record<string, unknown> = { action: 'snapshot' };
    if (target !== undefined) message.target = typeof target === 'string' ? parseTarget(target) : target;
    if (options.lines !== undefined) message.lines = options.lines;
    if (options.escapes !== undefined) message.escapes = options.escapes;
    return this.#request('snapshot', message) as Promise<SnapshotData>;
  }

  /**
   * Acknowledge a pane's attention (v1.1): it no longer needs anyone. Without a pane, every
   * pane of the window. Resolves with the server's `ack.result` (`cleared`: how many).
   */
  ack(target: CommandTarget | string): Promise<AckResult> {
    return this.#request('ack', { action: 'ack', target: toCommandTarget(target) }) as Promise<AckResult>;
  }

  /** Type `text` into a pane (then Enter, unless `enter: false`), or send it C-c. */
  command(target: CommandTarget | string, command: 'send', text: string, options?: SendOptions): Promise<CommandResult>;
  command(target: CommandTarget | string, command: 'interrupt'): Promise<CommandResult>;
  command(target: CommandTarget | string, command: 'send' | 'interrupt', text?: string, options: SendOptions = {}): Promise<CommandResult> {
    const message: Record<string, unknown> = { action: 'command', target: toCommandTarget(target), command };
    if (command === 'send') {
      message.text = text ?? '';
      if (options.enter !== undefined) message.enter = options.enter;
    }
    return this.#request('command', message) as Promise<CommandResult>;
  }

  /** A protocol-level round trip; resolves with the time it took, in ms. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.#request('ping', { action: 'ping' });
    return Date.now() - started;
  }

  /** Close for good: no reconnect; `events()` iterators end. Resolves once the socket is closed. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    await this.#finish({ code: 1000, reason: 'closed by the client', terminal: false, willReconnect: false });
  }

  // ── Connecting ───────────────────────────────────────────────────────────

  async #connect(): Promise<void> {
    let Ctor: WebSocketConstructor;
    let token: string | undefined;
    try {
      Ctor = await resolveWebSocket(this.#options.WebSocket, loadWs);
    } catch (cause) {
      // Without a WebSocket implementation, retrying cannot help.
      const error = new TmuxMonitorError('CONNECTION_FAILED', `no WebSocket implementation: pass { WebSocket } (${message(cause)})`, {
        cause,
      });
      void this.#finish({ code: 1006, reason: error.message, terminal: true, willReconnect: false, error });
      return;
    }
    try {
      token = await this.#fetchToken();
    } catch (cause) {
      if (this.#state === 'closed') return;
      this.#emit('error', new TmuxMonitorError('CONNECTION_FAILED', `the token function failed: ${message(cause)}`, { cause }));
      this.#retry(1006, 'no token');
      return;
    }
    if (this.#state === 'closed') return;

    let socket: WebSocketLike;
    try {
      socket = new Ctor(this.url);
    } catch (cause) {
      const error = new TmuxMonitorError('CONNECTION_FAILED', `cannot open ${this.url}: ${message(cause)}`, { cause });
      void this.#finish({ code: 1006, reason: error.message, terminal: true, willReconnect: false, error });
      return;
    }
    const conn: Connection = {
      socket,
      token,
      epoch: null,
      clientId: null,
      ready: false,
      resume: null,
      lastError: null,
      closed: false,
      connectTimer: undefined,
      refreshTimer: undefined,
      keepalive: undefined,
      lastMessageAt: Date.now(),
      pingSentAt: null,
    };
    this.#conn = conn;
    socket.onmessage = (event) => this.#onMessage(conn, event.data);
    // Some runtimes (Deno) report a failed connection with code 0: call it 1006, as browsers do.
    socket.onclose = (event) => this.#onClose(conn, event.code || 1006, event.reason);
    socket.onerror = () => {}; // a close event always follows; its code says what happened
    const timeout = this.#options.connectTimeoutMs ?? 10_000;
    conn.connectTimer = setTimeout(() => this.#abandon(conn, `not connected within ${timeout} ms`), timeout);
  }

  async #fetchToken(): Promise<string | undefined> {
    const token = this.#options.token;
    return typeof token === 'function' ? await token() : token;
  }

  /** Give up on a connection that hangs (no answer, no auth reply). */
  #abandon(conn: Connection, reason: string): void {
    void closeSocket(conn.socket, 1000, 'timeout');
    this.#onClose(conn, 1006, reason);
  }

  #onClose(conn: Connection, code: number, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    stopTimers(conn);
    if (this.#conn !== conn || this.#state === 'closed') return;
    this.#conn = null;
    if (TERMINAL_CLOSE_CODES.has(code)) {
      // Requests in flight fail with the reason the server gave, not a bare "disconnected".
      const error = terminalError(code, reason, conn.lastError);
      void this.#finish({ code, reason, terminal: true, willReconnect: false, error });
      return;
    }
    this.#forgetConnection(conn);
    const attempts = this.#attempts + 1;
    const max = this.#reconnect?.maxAttempts ?? Infinity;
    if (!this.#reconnect || attempts > max) {
      const error = new TmuxMonitorError('DISCONNECTED', `connection closed (${code}${reason ? `: ${reason}` : ''})`, { closeCode: code });
      void this.#finish({ code, reason, terminal: false, willReconnect: false, error });
      return;
    }
    this.#emit('close', { code, reason, terminal: false, willReconnect: true });
    this.#retry(code, reason);
  }

  /** What the server forgot when the connection ended. */
  #forgetConnection(conn: Connection): void {
    for (const [id, request] of this.#subscribeRequests) {
      if (request.conn === conn) this.#subscribeRequests.delete(id);
    }
    for (const record of this.#records) {
      record.serverId = null;
      record.pendingId = null;
    }
    this.#authRequests.clear();
    for (const [id, request] of this.#pending) {
      if (!request.sent) continue; // queued: goes out on the next connection
      this.#pending.delete(id);
      clearTimeout(request.timer);
      // The server drops a connection's subscriptions with it: that is what was asked.
      if (request.kind === 'unsubscribe') request.resolve(undefined);
      else request.reject(new TmuxMonitorError('DISCONNECTED', `the connection closed before the ${request.kind} reply`));
    }
  }

  #retry(code: number, reason: string): void {
    // Closed for flooding (4429): start further up the backoff curve.
    if (code === 4429) this.#attempts = Math.max(this.#attempts, 3);
    const attempt = ++this.#attempts;
    const max = this.#reconnect?.maxAttempts ?? Infinity;
    if (!this.#reconnect || attempt > max) {
      const error = new TmuxMonitorError('DISCONNECTED', `gave up after ${attempt - 1} reconnect attempts`, { closeCode: code });
      void this.#finish({ code, reason, terminal: false, willReconnect: false, error });
      return;
    }
    const delayMs = backoffDelay(attempt - 1, this.#reconnect);
    this.#setState('reconnecting');
    this.#emit('reconnecting', { attempt, delayMs, code, reason });
    this.#reconnectTimer = setTimeout(() => void this.#connect(), delayMs);
  }

  /** The end: no more reconnects; pending work is rejected, iterators end (or throw `error`). */
  #finish(event: CloseEvent): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    this.#setState('closed');
    this.#closeError = event.error;
    clearTimeout(this.#reconnectTimer);
    const conn = this.#conn;
    let socketClosed = Promise.resolve();
    if (conn) {
      this.#conn = null;
      conn.closed = true;
      stopTimers(conn);
      socketClosed = closeSocket(conn.socket, 1000, 'client closed');
    }
    const error = this.#closedError();
    for (const request of this.#pending.values()) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.#pending.clear();
    for (const settle of this.#settles.values()) settle.reject(error);
    this.#settles.clear();
    this.#subscribeRequests.clear();
    for (const stream of this.#streams) stream.finish(event.error);
    this.#streams.clear();
    this.#emit('close', event);
    return socketClosed;
  }

  #closedError(): TmuxMonitorError {
    return this.#closeError ?? new TmuxMonitorError('CLOSED', 'the monitor is closed');
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
  }

  // ── Messages ─────────────────────────────────────────────────────────────

  #send(conn: Connection, message: Record<string, unknown>): void {
    if (conn.socket.readyState === OPEN) conn.socket.send(JSON.stringify(message));
  }

  #id(prefix: string): string {
    return `${prefix}${this.#nextId++}`;
  }

  #onMessage(conn: Connection, data: unknown): void {
    if (conn !== this.#conn) return;
    conn.lastMessageAt = Date.now();
    conn.pingSentAt = null;
    let message: ServerMessage;
    try {
      message = JSON.parse(typeof data === 'string' ? data : String(data)) as ServerMessage;
    } catch (cause) {
      this.#emit('error', new TmuxMonitorError('INVALID_JSON', 'the server sent a frame that is not JSON', { cause }));
      return;
    }
    if (typeof message !== 'object' || message === null || typeof message.type !== 'string') return;
    switch (message.type) {
      case 'connection.established':
        return this.#onEstablished(conn, message);
      case 'auth.response':
        return this.#onAuthenticated(conn, message);
      case 'subscription.confirmed':
        return this.#onSubscribed(conn, message);
      case 'replay.complete':
        return this.#onReplayComplete(conn, message);
      case 'unsubscribe.confirmed':
      case 'pong':
        return this.#settle(message.id, undefined);
      case 'snapshot.acknowledged':
        return;
      case 'snapshot.data':
        return this.#settle(message.id ?? this.#oldestPending('snapshot'), message.data);
      case 'command.result':
        return this.#onCommandResult(message);
      case 'ack.result':
        return this.#settle(message.id ?? this.#oldestPending('ack'), message);
      case 'error':
        return this.#onError(conn, message);
      default:
        if (isEvent(message)) this.#onEvent(conn, message);
    }
  }

  #onEstablished(conn: Connection, message: ConnectionEstablished): void {
    conn.epoch = message.epoch;
    conn.clientId = message.client_id;
    if (conn.token !== undefined) {
      const id = this.#id('auth-');
      this.#authRequests.add(id);
      this.#send(conn, { action: 'auth', id, token: conn.token });
    } else if (message.auth_required) {
      // Reported as the server would close a connection that cannot authenticate.
      const error = new TmuxMonitorError('AUTH_REQUIRED', 'the server requires a token and none was given', { closeCode: 4401 });
      void this.#finish({ code: 4401, reason: error.message, terminal: true, willReconnect: false, error });
    } else {
      this.#onReady(conn);
    }
  }

  #onAuthenticated(conn: Connection, message: AuthResponse): void {
    if (message.id !== undefined) this.#authRequests.delete(message.id);
    this.#auth = {
      clientId: message.client_id,
      subject: message.subject,
      role: message.role,
      permissions: message.permissions,
      sessions: message.sessions,
      hosts: message.hosts ?? null,
      expiresAt: message.expires_at,
    };
    this.#emit('auth', this.#auth);
    this.#scheduleRefresh(conn);
    if (!conn.ready) this.#onReady(conn);
  }

  /** Authenticated: restore subscriptions, send queued requests. */
  #onReady(conn: Connection): void {
    conn.ready = true;
    clearTimeout(conn.connectTimer);
    this.#startKeepalive(conn);
    this.#attempts = 0;
    const previousEpoch = this.#epoch;
    const epochChanged = previousEpoch !== null && previousEpoch !== conn.epoch;
    const since = this.#lastSeq;
    const reconnected = this.#hasOpened;
    this.#hasOpened = true;
    this.#epoch = conn.epoch;
    if (epochChanged) this.#lastSeq = 0; // a new epoch numbers events from the start again

    this.#setState('open');
    this.#emit('open', { epoch: conn.epoch ?? '', clientId: conn.clientId ?? '', reconnected });
    if (conn !== this.#conn) return; // a listener closed the monitor

    const resume: Resume = {
      waiting: new Set(),
      held: [],
      previousEpoch,
      since,
      reconnected,
      gap: null,
      snapshot: 'none',
    };
    conn.resume = resume;
    for (const record of this.#records) {
      // Resume only subscriptions the server confirmed before; new ones start live.
      if (previousEpoch !== null && record.confirmedSeq !== null) {
        const from = epochChanged ? 0 : Math.max(since, record.confirmedSeq);
        resume.waiting.add(this.#sendSubscribe(conn, record, { since: from, epoch: previousEpoch }));
        if (epochChanged) resume.gap = 'epoch-changed';
      } else {
        resume.waiting.add(this.#sendSubscribe(conn, record));
      }
    }
    for (const request of this.#pending.values()) {
      if (request.sent) continue;
      request.sent = true;
      this.#send(conn, request.message);
    }
    if (resume.waiting.size === 0) this.#endResume(conn);
  }

  #sendSubscribe(conn: Connection, record: SubscriptionRecord, resume?: { since: number; epoch: string }): RequestId {
    const id = this.#id('sub-req-');
    record.pendingId = id;
    this.#subscribeRequests.set(id, { record, conn, resuming: resume !== undefined });
    this.#send(conn, { action: 'subscribe', id, filters: record.requested, ...resume });
    return id;
  }

  #onSubscribed(conn: Connection, message: SubscriptionConfirmed): void {
    const request = message.id === undefined ? undefined : this.#subscribeRequests.get(message.id);
    if (!request || message.id === undefined) return;
    const { record } = request;
    record.pendingId = null;
    if (!record.active) {
      // Unsubscribed while the request was in flight.
      this.#subscribeRequests.delete(message.id);
      this.#send(conn, { action: 'unsubscribe', id: this.#id('unsub-'), subscription: message.subscription });
      this.#resumeStep(conn, message.id);
      return;
    }
    record.serverId = message.subscription;
    record.filters = message.filters;
    record.confirmedSeq = message.seq;
    const settle = this.#settles.get(record);
    if (settle) {
      this.#settles.delete(record);
      settle.resolve(new Subscription(record, (r) => this.#unsubscribe(r)));
    }
    if (!request.resuming) {
      this.#subscribeRequests.delete(message.id);
      this.#resumeStep(conn, message.id);
    }
  }

  #onReplayComplete(conn: Connection, message: ReplayComplete): void {
    const id = message.id ?? [...this.#subscribeRequests].find(([, r]) => r.record.serverId === message.subscription)?.[0];
    if (id === undefined || !this.#subscribeRequests.has(id)) return;
    this.#subscribeRequests.delete(id);
    const resume = conn.resume;
    if (resume && !message.complete && resume.gap === null) {
      resume.gap = conn.epoch !== resume.previousEpoch ? 'epoch-changed' : 'history-lost';
    }
    this.#resumeStep(conn, id);
  }

  /** One subscribe request of the resume is done. */
  #resumeStep(conn: Connection, id: RequestId): void {
    if (conn.resume?.waiting.delete(id) && conn.resume.waiting.size === 0) this.#endResume(conn);
  }

  /** Every subscription is back: report a gap, deliver what was held, in order, once. */
  #endResume(conn: Connection): void {
    const resume = conn.resume;
    if (!resume) return;
    const snapshotOnGap = this.#options.snapshotOnGap;
    if (resume.gap && snapshotOnGap && resume.snapshot === 'none') {
      resume.snapshot = 'requested';
      const lines = typeof snapshotOnGap === 'object' ? snapshotOnGap.lines : undefined;
      this.snapshot(undefined, lines === undefined ? {} : { lines })
        .then(
          (data) => (resume.gapSnapshot = data),
          (error: unknown) => this.#emit('error', asMonitorError(error)),
        )
        .finally(() => {
          resume.snapshot = 'done';
          if (conn === this.#conn && conn.resume === resume) this.#endResume(conn);
        });
      return;
    }
    conn.resume = null;
    if (resume.gap && resume.previousEpoch !== null) {
      const gap: GapEvent = { epoch: conn.epoch ?? '', previousEpoch: resume.previousEpoch, since: resume.since, reason: resume.gap };
      if (resume.gapSnapshot) gap.snapshot = resume.gapSnapshot;
      this.#emit('gap', gap);
    }
    let delivered = 0;
    for (const event of resume.held.sort((a, b) => a.seq - b.seq)) {
      if (conn !== this.#conn) return;
      if (this.#deliver(event)) delivered++;
    }
    if (resume.reconnected && conn === this.#conn) {
      this.#emit('resumed', {
        epoch: conn.epoch ?? '',
        since: resume.gap === 'epoch-changed' ? 0 : resume.since,
        replayed: delivered,
        complete: resume.gap === null,
      });
    }
  }

  #onEvent(conn: Connection, event: MonitorEvent): void {
    // Per-connection notices (system.lagged) carry no seq: nothing to order them by.
    if (conn.resume && typeof event.seq === 'number') conn.resume.held.push(event);
    else this.#deliver(event);
  }

  /** Delivers an event unless already seen (seq ≤ last seen, same epoch). */
  #deliver(event: MonitorEvent): boolean {
    if (typeof event.seq === 'number') {
      if (event.seq <= this.#lastSeq) return false;
      this.#lastSeq = event.seq;
    }
    this.#report(this.#listeners.emitEvent(event), event.type);
    for (const stream of this.#streams) stream.push(event);
    return true;
  }

  #onCommandResult(message: CommandResult): void {
    const id = message.id ?? this.#oldestPending('command');
    if (message.success) return this.#settle(id, message);
    this.#fail(id, new TmuxMonitorError('COMMAND_FAILED', `${message.command} to ${JSON.stringify(message.target)} failed`));
  }

  #onError(conn: Connection, message: ErrorMessage): void {
    const error = new TmuxMonitorError(message.code, message.message, { details: message.details });
    const id = message.id;
    const subscribe = id === undefined ? undefined : this.#subscribeRequests.get(id);
    if (id !== undefined && subscribe) {
      this.#subscribeRequests.delete(id);
      const { record } = subscribe;
      // A subscription the server refuses (INVALID_FILTER; FORBIDDEN after a token change)
      // is dropped rather than retried on every reconnect.
      record.pendingId = null;
      record.active = false;
      this.#records.delete(record);
      const settle = this.#settles.get(record);
      this.#settles.delete(record);
      if (settle) settle.reject(error);
      else this.#emit('error', error);
      this.#resumeStep(conn, id);
    } else if (id !== undefined && this.#pending.has(id)) {
      this.#fail(id, error);
    } else {
      if (id === undefined || this.#authRequests.delete(id)) conn.lastError = message;
      this.#emit('error', error);
    }
  }

  // ── Request bookkeeping ──────────────────────────────────────────────────

  #request(kind: RequestKind, body: Record<string, unknown>): Promise<unknown> {
    if (this.#state === 'closed') return Promise.reject(this.#closedError());
    const id = this.#id(`${kind}-`);
    const message = { ...body, id };
    return new Promise((resolve, reject) => {
      const timeout = this.#options.requestTimeoutMs ?? 15_000;
      const timer = setTimeout(() => this.#fail(id, new TmuxMonitorError('TIMEOUT', `no reply to ${kind} within ${timeout} ms`)), timeout);
      const request: PendingRequest = { kind, message, resolve, reject, timer, sent: false };
      this.#pending.set(id, request);
      const conn = this.#conn;
      if (conn?.ready) {
        request.sent = true;
        this.#send(conn, message);
      }
    });
  }

  #settle(id: RequestId | undefined, value: unknown): void {
    const request = id === undefined ? undefined : this.#pending.get(id);
    if (!request || id === undefined) return;
    this.#pending.delete(id);
    clearTimeout(request.timer);
    request.resolve(value);
  }

  #fail(id: RequestId | undefined, error: TmuxMonitorError): void {
    const request = id === undefined ? undefined : this.#pending.get(id);
    if (!request || id === undefined) return;
    this.#pending.delete(id);
    clearTimeout(request.timer);
    request.reject(error);
  }

  /** For servers that do not echo ids: the oldest request of a kind in flight. */
  #oldestPending(kind: RequestKind): RequestId | undefined {
    for (const [id, request] of this.#pending) if (request.kind === kind && request.sent) return id;
    return undefined;
  }

  async #unsubscribe(record: SubscriptionRecord): Promise<void> {
    if (!record.active) return;
    record.active = false;
    this.#records.delete(record);
    const conn = this.#conn;
    // Only on the connection that knows the id; elsewhere there is nothing to undo. A
    // request in flight is undone when its confirmation arrives (#onSubscribed).
    if (conn?.ready && record.serverId !== null && this.#state !== 'closed') {
      const subscription = record.serverId;
      record.serverId = null;
      await this.#request('unsubscribe', { action: 'unsubscribe', subscription });
    }
  }

  /**
   * Browsers cannot see the server's WebSocket pings, so a dead network (a laptop waking up,
   * a dropped route) would go unnoticed for minutes. After `pingIntervalMs` of silence the
   * client sends `ping`; if nothing at all arrives within `pingIntervalMs` after that, it
   * drops the connection and reconnects. Judging by the ping's age rather than by silence
   * alone means a stalled event loop (timers run before pending reads) is not mistaken for
   * a dead server.
   */
  #startKeepalive(conn: Connection): void {
    const every = this.#options.pingIntervalMs ?? 25_000;
    if (every <= 0) return;
    conn.keepalive = setInterval(() => {
      const now = Date.now();
      if (conn.pingSentAt !== null) {
        if (now - conn.pingSentAt >= every) this.#abandon(conn, `no message from the server for ${now - conn.lastMessageAt} ms`);
      } else if (now - conn.lastMessageAt >= every) {
        conn.pingSentAt = now;
        this.#send(conn, { action: 'ping' });
      }
    }, every / 2);
  }

  // ── Token refresh ────────────────────────────────────────────────────────

  /** With a token function: send `auth` again with a fresh token a little before expiry. */
  #scheduleRefresh(conn: Connection): void {
    clearTimeout(conn.refreshTimer);
    if (typeof this.#options.token !== 'function' || conn.token === undefined) return;
    const expiresAt = jwtExpiry(conn.token);
    if (expiresAt === null) return;
    const delay = refreshDelay(expiresAt, Date.now(), this.#options.tokenRefreshMarginMs ?? 30_000);
    conn.refreshTimer = setTimeout(
      () => (delay > MAX_TIMER_MS ? this.#scheduleRefresh(conn) : void this.#refresh(conn, expiresAt)),
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  async #refresh(conn: Connection, expiresAt: number): Promise<void> {
    let token: string | undefined;
    try {
      token = await this.#fetchToken();
    } catch (cause) {
      if (conn.closed) return;
      this.#emit('error', new TmuxMonitorError('AUTH_FAILED', `the token function failed: ${message(cause)}`, { cause }));
      const left = expiresAt - Date.now();
      if (left > 0) conn.refreshTimer = setTimeout(() => void this.#refresh(conn, expiresAt), Math.min(TOKEN_RETRY_MS, left / 2));
      return;
    }
    if (conn.closed || token === undefined) return;
    conn.token = token;
    const id = this.#id('auth-');
    this.#authRequests.add(id);
    this.#send(conn, { action: 'auth', id, token });
  }

  // ── Emitting ─────────────────────────────────────────────────────────────

  #emit<L extends LifecycleEventName>(name: L, payload: LifecycleEventMap[L]): void {
    this.#report(this.#listeners.emit(name, payload), name);
  }

  /**
   * A listener threw: tell the `error` listeners, or, with none (or if one of them threw),
   * rethrow outside our stack so it is not lost and our state stays consistent.
   */
  #report(errors: unknown[], from: string): void {
    for (const cause of errors) {
      if (from !== 'error' && this.#listeners.has('error')) {
        this.#emit('error', new TmuxMonitorError('LISTENER_ERROR', `a '${from}' listener threw: ${message(cause)}`, { cause }));
      } else {
        queueMicrotask(() => {
          throw cause;
        });
      }
    }
  }
}

function stopTimers(conn: Connection): void {
  clearTimeout(conn.connectTimer);
  clearTimeout(conn.refreshTimer);
  clearInterval(conn.keepalive);
}

/** An event, as opposed to a reply: events have `data` and (except system.lagged) a `seq`. */
function isEvent(message: { type: string }): message is MonitorEvent {
  return typeof (message as { data?: unknown }).data === 'object' && (message as { data?: unknown }).data !== null;
}

/** Closes a socket and resolves once it is closed (or after a second, if the peer is gone). */
function closeSocket(socket: WebSocketLike, code: number, reason: string): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    socket.onmessage = null;
    socket.onerror = () => {};
    socket.onclose = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      socket.close(code, reason);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

function terminalError(code: number, reason: string, lastError: ErrorMessage | null): TmuxMonitorError {
  const fallback: Record<number, ErrorCode | 'MESSAGE_TOO_LARGE'> = { 4401: 'AUTH_FAILED', 4403: 'FORBIDDEN', 1009: 'MESSAGE_TOO_LARGE' };
  const related = lastError && (code !== 4401 || ['AUTH_FAILED', 'TOKEN_EXPIRED', 'AUTH_REQUIRED'].includes(lastError.code));
  const errorCode = related ? lastError.code : (fallback[code] ?? 'CLOSED');
  const text = related ? lastError.message : reason || `closed with ${code}`;
  return new TmuxMonitorError(errorCode, `${text} (close code ${code})`, { closeCode: code });
}

function asMonitorError(error: unknown): TmuxMonitorError {
  return error instanceof TmuxMonitorError ? error : new TmuxMonitorError('INTERNAL_ERROR', message(error), { cause: error });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

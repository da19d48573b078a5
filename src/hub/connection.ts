/**
 * One WebSocket client: the protocol state machine between the transport (any runtime's
 * socket, behind `Transport`) and the hub. It authenticates, validates every inbound
 * message, keeps the client's subscriptions, and decides which events reach it.
 *
 * Inbound messages are handled one at a time, in order, so that a client may send
 * `auth` and `subscribe` back to back without waiting for the reply in between. Most are
 * answered at once, as they arrive; one that has to wait (a token not seen before, a
 * snapshot, a command) holds the ones after it until it is done.
 */
import type * as v from 'valibot';
import type { MonitorEvent, RawEvent } from '../protocol/events.ts';
import { OUTPUT_EVENT_TYPES } from '../protocol/events.ts';
import { CloseCode, MonitorError, type ErrorCode } from '../protocol/errors.ts';
import {
  PROTOCOL_VERSION,
  SERVER_NAME,
  SERVER_VERSION,
  type Permission,
  type RequestId,
  type ServerMessage,
} from '../protocol/messages.ts';
import type {
  AckMessage,
  ClientMessage,
  CommandMessage,
  SnapshotMessage,
  SubscribeMessage,
  UnsubscribeMessage,
} from '../protocol/schemas.ts';
import { parseClientMessage } from '../protocol/parse.ts';
import type { Target } from '../protocol/snapshot.ts';
import { ANONYMOUS_ADMIN, canSeeSession, type Principal } from '../auth/principal.ts';
import { pinnedTarget, scopedPane, scopedSnapshot } from './scoped.ts';
import { sameFilters, unknownTypes } from '../protocol/compat.ts';
import { describeReached } from './targets.ts';
import { compileFilters, parseFilters, type EventPredicate, type NormalizedFilters } from './filters.ts';
import type { ConnectionHub } from './connection-hub.ts';
import { Outbox, type OutboxHooks } from './outbox.ts';
import { boundSnapshotContent } from './snapshot-bound.ts';
import { TokenBucket, WindowCounter } from './rate-limit.ts';
import type { StampedEvent } from './sequencer.ts';
import type { Peer } from '../runtime/websocket.ts';
import { timeLimited } from '../time-limit.ts';

/** What a connection needs from the runtime's socket: the runtime contract's Peer. */
export type Transport = Peer;

interface Subscription {
  id: string;
  filters: NormalizedFilters;
  matches: EventPredicate;
  /** Events with a higher seq that match have been (or will be) sent through this one. */
  from: number;
}

/** Handling one inbound message: a promise when its answer has to wait. */
type InboundTask = () => Promise<void> | void;

/** An event outside the sequence (`system.lagged`'s kind): a timestamp, no `seq`. */
export type Notice = RawEvent & { timestamp: string };

const MAX_SUBSCRIPTIONS = 100;
const SOURCE_TIMEOUT_MS = 10_000;

/**
 * The events of a batch one connection takes, gathered before any is written. Shared:
 * delivery is synchronous and one connection at a time, so one array serves them all.
 */
const taken: StampedEvent[] = [];

export class Connection {
  readonly id: string;
  private principal: Principal | null = null;
  private readonly subscriptions = new Map<string, Subscription>();
  /** The subscriptions' predicates, kept beside the map so that delivery walks an array. */
  private matchers: EventPredicate[] = [];
  /** The token sees every session, host and output: no per-event scope check. */
  private seesEverything = false;
  private nextSubscription = 1;
  private closed = false;
  /** A message's handling is waiting (for a token check, tmux, …): later ones queue. */
  private busy = false;
  private waiting: InboundTask[] | undefined;

  private readonly bucket: TokenBucket;
  /** Made at the first violation: most connections never have one. */
  private violations: WindowCounter | undefined;
  private authTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the token expires (ms), as given to the hub's expiry schedule; null: never. */
  private expiresAt: number | null = null;

  /** Every write to the client goes through here (the slow-reader policy). */
  private readonly outbox: Outbox<Connection>;

  constructor(
    private readonly hub: ConnectionHub,
    private readonly transport: Transport,
    readonly remoteAddress: string,
    private readonly headerToken: string | undefined,
  ) {
    this.id = hub.nextClientId();
    const limits = hub.options.rateLimit;
    this.bucket = new TokenBucket(limits.perSecond, limits.burst);
    this.outbox = new Outbox(transport, hub.options, Connection.outboxHooks, this);
  }

  /** One for every connection's outbox, which names its connection: no closures per connection. */
  private static readonly outboxHooks: OutboxHooks<Connection> = {
    slow: (connection, reason) => connection.closeSlow(reason),
    dropped: (connection) => void connection.hub.metrics.eventsDropped++,
    held: ({ hub: { metrics } }, bytes) => void (bytes > metrics.sendBufferPeak && (metrics.sendBufferPeak = bytes)),
  };

  get authenticated(): boolean {
    return this.principal !== null;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  // ---- lifecycle -------------------------------------------------------------------

  open(): void {
    const { options } = this.hub;
    if (this.hub.closing) {
      // Reconnecting to a server on its way out would only resume into a dying epoch.
      this.close(CloseCode.GOING_AWAY, 'server shutting down');
      return;
    }
    this.hub.audit?.('connect', { client_id: this.id, remote: this.remoteAddress });
    this.send({
      type: 'connection.established',
      client_id: this.id,
      timestamp: new Date().toISOString(),
      protocol: PROTOCOL_VERSION,
      server: `${SERVER_NAME}/${SERVER_VERSION}`,
      epoch: this.hub.epoch,
      auth_required: options.verifier !== null,
      auth_timeout_ms: options.authTimeoutMs,
    });
    if (this.hub.failedAuth.isBlocked(this.remoteAddress)) {
      this.fail('RATE_LIMIT', 'too many failed authentication attempts from this address', CloseCode.RATE_LIMIT);
      return;
    }
    if (options.verifier === null) {
      this.setPrincipal(ANONYMOUS_ADMIN);
    } else {
      this.authTimer = setTimeout(() => {
        this.fail('AUTH_REQUIRED', `no auth within ${options.authTimeoutMs} ms`, CloseCode.AUTH_TIMEOUT);
      }, options.authTimeoutMs);
    }
    if (this.headerToken !== undefined) this.enqueue(() => this.authenticate(this.headerToken!, undefined));
  }

  /** The transport closed (either side). */
  closedBy(code: number): void {
    if (!this.closed) this.shutdown();
    this.hub.audit?.('disconnect', { client_id: this.id, subject: this.principal?.subject, code });
  }

  /** Closes with a code; stops all delivery at once. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.shutdown();
    try {
      this.transport.close(code, reason);
    } catch {
      // Already closing underneath us.
    }
  }

  private shutdown(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    if (this.expiresAt !== null) this.hub.expiries.delete(this.expiresAt, this);
    this.outbox.close();
    this.hub.remove(this);
  }

  // ---- inbound ---------------------------------------------------------------------

  /** A frame arrived. Size and rate are checked at once; handling is queued in order. */
  receive(data: string | ArrayBuffer | Uint8Array | Blob): void {
    if (this.closed) return;
    const { options } = this.hub;
    const size = typeof data === 'string' ? utf8Length(data, options.maxFrameBytes) : 'size' in data ? data.size : data.byteLength;
    if (size > options.maxFrameBytes) {
      this.hub.metrics.countRejected('FRAME_TOO_LARGE');
      this.hub.audit?.('rejected', {
        client_id: this.id,
        subject: this.principal?.subject,
        remote: this.remoteAddress,
        code: 'FRAME_TOO_LARGE',
        reason: `frame of ${size} bytes`,
      });
      this.close(CloseCode.TOO_LARGE, `frame over ${options.maxFrameBytes} bytes`);
      return;
    }
    if (!this.bucket.take()) {
      this.error('RATE_LIMIT', `over ${options.rateLimit.perSecond} messages per second; message dropped`, undefined);
      this.violations ??= new WindowCounter(options.rateLimit.violationWindowMs);
      if (this.violations.hit() >= options.rateLimit.maxViolations) {
        this.hub.audit?.('rate_limit.close', { client_id: this.id, subject: this.principal?.subject, remote: this.remoteAddress });
        this.close(CloseCode.RATE_LIMIT, 'rate limit exceeded again and again');
      }
      return;
    }
    if (typeof data !== 'string') {
      this.error('INVALID_MESSAGE', 'binary frames are not accepted; send JSON text frames', undefined);
      return;
    }
    this.enqueue(() => this.handleText(data));
  }

  private enqueue(task: InboundTask): void {
    if (this.busy) (this.waiting ??= []).push(task);
    else this.run(task);
  }

  /**
   * Runs `task`, then whatever waits behind it: at once while each finishes at once, and
   * after the first that returns a promise, when that promise settles.
   */
  private run(task: InboundTask): void {
    for (let next: InboundTask | undefined = task; next !== undefined; next = this.waiting?.shift()) {
      let pending: Promise<void> | void;
      try {
        pending = next();
      } catch (error) {
        this.handlerFailed(error);
        continue;
      }
      if (pending !== undefined) {
        this.busy = true;
        pending
          .catch((error: unknown) => this.handlerFailed(error))
          .then(() => {
            this.busy = false;
            const after = this.waiting?.shift();
            if (after) this.run(after);
          });
        return;
      }
    }
  }

  private handlerFailed(error: unknown): void {
    this.hub.log('error', 'message handler failed', { client_id: this.id, error: String(error) });
    this.error('INTERNAL_ERROR', 'internal error', undefined);
  }

  private handleText(text: string): Promise<void> | void {
    if (this.closed) return;
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.error(parsed.code, parsed.message, parsed.id, parsed.details);
      return;
    }
    return this.dispatch(parsed.message);
  }

  /** Answers a message; a promise when the answer has to wait. */
  private dispatch(message: ClientMessage): Promise<void> | void {
    if (message.action === 'ping') {
      this.send({ type: 'pong', id: message.id, timestamp: new Date().toISOString() });
      return;
    }
    if (message.action === 'auth') return this.authenticate(message.token, message.id);
    if (!this.principal) {
      this.error('AUTH_REQUIRED', `authenticate first: send {"action":"auth","token":...}`, message.id);
      return;
    }
    switch (message.action) {
      case 'subscribe':
        return this.subscribe(message);
      case 'unsubscribe':
        return this.unsubscribe(message);
      case 'snapshot':
        return this.snapshot(message);
      case 'command':
        return this.command(message);
      case 'ack':
        return this.ack(message);
    }
  }

  // ---- actions ---------------------------------------------------------------------

  /** A promise only while the token is being checked (a token the verifier has not seen before). */
  private authenticate(token: string, id: RequestId | undefined): Promise<void> | void {
    const { verifier } = this.hub.options;
    if (this.hub.failedAuth.isBlocked(this.remoteAddress)) {
      this.fail('RATE_LIMIT', 'too many failed authentication attempts from this address', CloseCode.RATE_LIMIT, id);
      return;
    }
    if (!verifier) return this.admit(ANONYMOUS_ADMIN, id);
    let verified: Principal | Promise<Principal>;
    try {
      verified = verifier(token);
    } catch (error) {
      return this.refuseToken(error, id);
    }
    if (!('then' in verified)) return this.admit(verified, id);
    return verified.then(
      (principal) => this.admit(principal, id),
      (error: unknown) => this.refuseToken(error, id),
    );
  }

  private refuseToken(error: unknown, id: RequestId | undefined): void {
    if (this.closed) return;
    const failure = error instanceof MonitorError ? error : new MonitorError('AUTH_FAILED', 'token could not be verified');
    this.hub.failedAuth.record(this.remoteAddress);
    this.hub.audit?.('auth.failure', { client_id: this.id, remote: this.remoteAddress, code: failure.code, reason: failure.message });
    this.fail(failure.code, failure.message, CloseCode.AUTH, id);
  }

  /** The token is good: the connection acts as `principal` from now on. */
  private admit(principal: Principal, id: RequestId | undefined): void {
    if (this.closed) return;
    if (!principal.permissions.has('read')) {
      // A token that may not even read has nothing to do here: tell the client to stop.
      this.hub.audit?.('auth.failure', { client_id: this.id, remote: this.remoteAddress, subject: principal.subject, code: 'FORBIDDEN' });
      this.fail('FORBIDDEN', 'this token lacks the "read" permission', CloseCode.FORBIDDEN, id);
      return;
    }
    clearTimeout(this.authTimer);
    this.authTimer = undefined; // a cleared Timeout is 120 bytes a connection would keep
    this.setPrincipal(principal);
    this.armExpiry(principal.expiresAt);
    this.hub.audit?.('auth.success', { client_id: this.id, remote: this.remoteAddress, subject: principal.subject, role: principal.role });
    this.send({
      type: 'auth.response',
      id,
      success: true,
      client_id: this.id,
      subject: principal.subject,
      role: principal.role,
      permissions: [...principal.permissions],
      sessions: principal.sessions === null ? null : [...principal.sessions],
      hosts: principal.hosts == null ? null : [...principal.hosts],
      expires_at: principal.expiresAt === null ? null : new Date(principal.expiresAt).toISOString(),
    });
  }

  private setPrincipal(principal: Principal): void {
    this.principal = principal;
    this.seesEverything = principal.permissions.has('output') && principal.inScope === null && principal.inHosts == null;
  }

  /** Call after every change to `subscriptions`. */
  private subscriptionsChanged(): void {
    this.matchers = [...this.subscriptions.values()].map((s) => s.matches);
  }

  private armExpiry(expiresAt: number | null): void {
    if (this.expiresAt !== null) this.hub.expiries.delete(this.expiresAt, this);
    this.expiresAt = expiresAt;
    if (expiresAt !== null) this.hub.expiries.add(expiresAt, this);
  }

  /** The token has expired (the hub's expiry schedule calls this). */
  expired(): void {
    this.expiresAt = null;
    this.fail('TOKEN_EXPIRED', 'token has expired; reconnect with a fresh token', CloseCode.AUTH);
  }

  private subscribe(message: v.InferOutput<typeof SubscribeMessage>): Promise<void> | void {
    if (!this.require('subscribe', message.id)) return;
    const normalized = this.parseFilters(message.filters, message.id);
    if (!normalized) return;
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      this.error('INVALID_MESSAGE', `at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`, message.id);
      return;
    }
    // Resuming on a server instance that is behind the bus's stream (another instance is
    // ahead, or this one has just started and is still reading it): let it catch up first.
    const behind = message.since === undefined ? undefined : this.hub.eventLog.reach(message.since);
    if (behind) return behind.then(() => this.startSubscription(message, normalized));
    this.startSubscription(message, normalized);
  }

  private startSubscription(message: v.InferOutput<typeof SubscribeMessage>, normalized: NormalizedFilters): void {
    if (this.closed) return;
    const upTo = this.hub.lastPublished;
    const sameEpoch = message.epoch === undefined || message.epoch === this.hub.epoch;
    const replayFrom = message.since === undefined ? undefined : sameEpoch ? message.since : 0;
    const subscription: Subscription = {
      id: `sub-${this.nextSubscription++}`,
      filters: normalized,
      matches: compileFilters(normalized),
      from: replayFrom ?? upTo,
    };
    // Events already sent (or queued live) through an earlier subscription are not
    // replayed again: each event reaches a client at most once.
    const earlier = [...this.subscriptions.values()];
    this.subscriptions.set(subscription.id, subscription);
    this.subscriptionsChanged();
    this.hub.audit?.('subscribe', {
      client_id: this.id,
      subject: this.principal!.subject,
      subscription: subscription.id,
      filters: normalized,
      since: message.since,
    });
    this.send({
      type: 'subscription.confirmed',
      id: message.id,
      subscription: subscription.id,
      filters: normalized,
      subscriptions: [...this.subscriptions.keys()],
      seq: upTo,
      unknown_types: unknownTypes(normalized.types),
    });
    if (replayFrom === undefined) return;

    const replay = this.hub.history.since(replayFrom, upTo);
    let count = 0;
    // Paced through the outbox: pulled as the reader takes it, live events wait behind it.
    const events = function* (this: Connection): Generator<string> {
      for (const entry of replay.events) {
        const event = entry.event;
        if (!this.mayReceive(event) || !subscription.matches(event)) continue;
        if (earlier.some((s) => event.seq > s.from && s.matches(event))) continue;
        count++;
        yield entry.json;
      }
    }.call(this);
    this.outbox.replay(events, () =>
      JSON.stringify({
        type: 'replay.complete',
        id: message.id,
        subscription: subscription.id,
        from: replayFrom,
        to: upTo,
        count,
        complete: replay.complete && sameEpoch,
      } satisfies ServerMessage),
    );
  }

  private unsubscribe(message: v.InferOutput<typeof UnsubscribeMessage>): void {
    if (!this.require('subscribe', message.id)) return;
    if (message.subscription !== undefined && message.filters !== undefined) {
      this.error('INVALID_MESSAGE', 'give "subscription" or "filters", not both', message.id, [
        { path: 'filters', message: 'not with subscription' },
      ]);
      return;
    }
    let removed: string;
    if (message.filters !== undefined) {
      // The first implementation's form: remove the subscription(s) with exactly these filters.
      const filters = this.parseFilters(message.filters, message.id);
      if (!filters) return;
      const matching = [...this.subscriptions.values()].filter((s) => sameFilters(s.filters, filters));
      if (matching.length === 0) {
        this.error('NOT_FOUND', 'no subscription with exactly these filters', message.id);
        return;
      }
      for (const subscription of matching) this.subscriptions.delete(subscription.id);
      this.subscriptionsChanged();
      removed = matching.map((s) => s.id).join(',');
    } else if (message.subscription === undefined) {
      this.subscriptions.clear();
      this.subscriptionsChanged();
      removed = '*';
    } else if (!this.subscriptions.delete(message.subscription)) {
      this.error('NOT_FOUND', `no subscription "${message.subscription}"`, message.id);
      return;
    } else {
      this.subscriptionsChanged();
      removed = message.subscription;
    }
    this.hub.audit?.('unsubscribe', { client_id: this.id, subject: this.principal!.subject, subscription: removed });
    this.send({ type: 'unsubscribe.confirmed', id: message.id, subscriptions: [...this.subscriptions.keys()] });
  }

  /** Filters as sent (the first implementation's spellings too), normalized; INVALID_FILTER otherwise. */
  private parseFilters(raw: unknown, id: RequestId | undefined): NormalizedFilters | undefined {
    const result = parseFilters(raw);
    if (result.ok) return result.filters;
    this.error(result.code, result.message, id, result.details);
    return undefined;
  }

  private async snapshot(message: v.InferOutput<typeof SnapshotMessage>): Promise<void> {
    if (!this.require('snapshot', message.id)) return;
    const lines = message.lines ?? 0;
    if (lines > 0 && !this.require('output', message.id)) return;
    const target: Target | undefined = message.target ?? undefined;
    const seq = this.hub.lastPublished;
    try {
      // Resolved inside the token's scope: outside it answers as absent (src/hub/targets.ts).
      const sessions = await sourceAnswer(scopedSnapshot(this.hub.source, this.principal!, target, lines, { escapes: message.escapes }));
      this.hub.attention?.decorate(sessions);
      this.send({ type: 'snapshot.acknowledged', id: message.id, target: target ?? null });
      // A reply alone stays within half the send buffer (then a reader that stops reading gets 4503).
      const bounded = lines > 0 ? boundSnapshotContent(sessions, this.hub.options.sendBufferLimit / 2) : sessions;
      this.send({ type: 'snapshot.data', id: message.id, data: { seq, sessions: bounded } });
    } catch (error) {
      this.sourceError(error, message.id, 'snapshot', target);
    }
  }

  private async command(message: v.InferOutput<typeof CommandMessage>): Promise<void> {
    if (!this.require('write', message.id)) return;
    if (message.command === 'send' && (message.text ?? '') === '' && message.enter === false) {
      this.error('INVALID_MESSAGE', '"send" needs "text" or "enter"', message.id, [{ path: 'text', message: 'required' }]);
      return;
    }
    try {
      const reached = await sourceAnswer(scopedPane(this.hub.source, this.principal!, message.target));
      this.hub.audit?.('command', {
        client_id: this.id,
        subject: this.principal!.subject,
        command: message.command,
        target: message.target,
        reached: describeReached(reached),
      });
      await sourceAnswer(
        this.hub.source.command({
          target: pinnedTarget(message.target, reached),
          command: message.command,
          text: message.text,
          enter: message.enter ?? true,
        }),
      );
      this.send({ type: 'command.result', id: message.id, success: true, command: message.command, target: message.target });
    } catch (error) {
      this.sourceError(error, message.id, 'command', message.target);
    }
  }

  /** v1.1: clear a pane's attention (src/attention/). */
  private async ack(message: v.InferOutput<typeof AckMessage>): Promise<void> {
    if (!this.require('read', message.id)) return;
    const attention = this.hub.attention;
    if (!attention) {
      this.error('INVALID_MESSAGE', 'attention is turned off on this server', message.id);
      return;
    }
    this.hub.audit?.('ack', { client_id: this.id, subject: this.principal!.subject, target: message.target });
    try {
      // Out of scope answers as absent (NOT_FOUND), as for snapshot and command.
      const mayAck = (session: string, host?: string): boolean => canSeeSession(this.principal!, session, host);
      const cleared = await sourceAnswer(attention.ack(message.target, mayAck));
      this.send({ type: 'ack.result', id: message.id, success: true, target: message.target, cleared });
    } catch (error) {
      this.sourceError(error, message.id, 'ack', message.target);
    }
  }

  // ---- outbound --------------------------------------------------------------------

  /**
   * Delivers a batch of live events. The ones this client takes are picked first: most
   * batches of a busy server are a single event, and most clients take few of them, so
   * the outbox (and the socket's cork) is touched only for what is sent, and only a
   * batch of two or more is corked.
   */
  deliver(batch: readonly StampedEvent[]): void {
    if (this.closed || this.principal === null || this.matchers.length === 0) return;
    for (const entry of batch) if (this.accepts(entry.event)) taken.push(entry);
    try {
      if (taken.length === 1) this.outbox.event(taken[0]!, taken[0]!.event.type === 'pane.output');
      else if (taken.length > 1) {
        this.outbox.batch(() => {
          for (const entry of taken) {
            this.outbox.event(entry, entry.event.type === 'pane.output');
            if (this.closed) return;
          }
        });
      }
    } finally {
      taken.length = 0;
    }
  }

  /** A notice outside the sequence (Hub.notice), already serialized: sent if a subscription takes it. */
  notice(event: Notice, json: string): void {
    // Filters and scope read only the type and location, which a notice has like any event.
    if (this.closed || this.principal === null || this.matchers.length === 0 || !this.accepts(event as MonitorEvent)) return;
    this.outbox.send(json);
  }

  private accepts(event: MonitorEvent): boolean {
    if (!this.seesEverything && !this.mayReceive(event)) return false;
    const matchers = this.matchers;
    for (let i = 0; i < matchers.length; i++) if (matchers[i]!(event)) return true;
    return false;
  }

  /** The token may see this event: its session is in scope, and output needs `output`. */
  private mayReceive(event: MonitorEvent): boolean {
    const principal = this.principal!;
    if (OUTPUT_EVENT_TYPES.has(event.type) && !principal.permissions.has('output')) return false;
    if (canSeeSession(principal, event.session, event.host, event.session_id)) return true;
    return event.type === 'session.renamed' && canSeeSession(principal, event.data.old_name, event.host);
  }

  private closeSlow(reason: string): void {
    this.hub.metrics.slowConsumerCloses++;
    this.hub.audit?.('slow_consumer.close', { client_id: this.id, subject: this.principal?.subject, remote: this.remoteAddress, reason });
    this.close(CloseCode.SLOW_CONSUMER, 'too slow to read');
  }

  private send(message: ServerMessage): void {
    if (this.closed) return;
    this.outbox.send(JSON.stringify(message));
  }

  /** Every refusal is answered and goes in the audit log as `rejected` (with what was asked, never a token). */
  private error(code: ErrorCode, message: string, id: RequestId | undefined, details?: unknown, asked?: Record<string, unknown>): void {
    this.hub.metrics.countRejected(code);
    this.hub.audit?.('rejected', {
      client_id: this.id,
      subject: this.principal?.subject,
      remote: this.remoteAddress,
      code,
      reason: message,
      ...asked,
    });
    this.send({ type: 'error', id, code, message, timestamp: new Date().toISOString(), ...(details === undefined ? {} : { details }) });
  }

  /** Sends an error, then closes with `closeCode`. */
  private fail(code: ErrorCode, message: string, closeCode: number, id?: RequestId): void {
    this.error(code, message, id);
    this.close(closeCode, message.slice(0, 120));
  }

  private require(permission: Permission, id: RequestId | undefined): boolean {
    if (this.principal!.permissions.has(permission)) return true;
    this.error('FORBIDDEN', `this needs the "${permission}" permission`, id);
    return false;
  }

  private sourceError(error: unknown, id: RequestId | undefined, action: string, target: unknown): void {
    if (error instanceof MonitorError) {
      this.error(error.code, error.message, id, error.details, { action, target });
    } else {
      this.hub.log('error', 'source call failed', { client_id: this.id, error: String(error) });
      this.error('INTERNAL_ERROR', 'the tmux source failed', id, undefined, { action, target });
    }
  }
}

/** UTF-8 byte length, exact only when it could matter (a string over limit/3 chars). */
function utf8Length(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length;
  if (text.length > limit) return text.length;
  return new TextEncoder().encode(text).byteLength;
}

/** What the source answers, or TMUX_UNAVAILABLE if it has not answered within SOURCE_TIMEOUT_MS. */
function sourceAnswer<T>(promise: Promise<T>): Promise<T> {
  return timeLimited(
    promise,
    SOURCE_TIMEOUT_MS,
    () => new MonitorError('TMUX_UNAVAILABLE', `tmux did not answer within ${SOURCE_TIMEOUT_MS} ms`),
  );
}

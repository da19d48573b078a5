/**
 * The hub: owns the epoch, sequence, history and the set of connections, runs the
 * pipeline from the source and fans each batch out to the connections that want it.
 * Each event is serialized once (by the sequencer) and the same string is sent to all.
 */
import type { RawEvent } from '../protocol/events.ts';
import type { EventSource } from '../protocol/source.ts';
import { CloseCode } from '../protocol/errors.ts';
import type { TokenVerifier } from '../auth/verifier.ts';
import { createAudit, type Audit, type AuditSink } from './audit.ts';
import type { AttentionService } from '../attention/service.ts';
import type { Connection, Notice } from './connection.ts';
import { MemoryLog, type EventLog } from './event-log.ts';
import { ExpirySchedule } from './expiry.ts';
import { History } from './history.ts';
import { Metrics } from './metrics.ts';
import { remember } from './pipeline.ts';
import { FailedAuthTracker } from './rate-limit.ts';
import type { StampedEvent } from './sequencer.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface HubOptions {
  /** null: auth turned off, every connection is an anonymous admin. */
  verifier: TokenVerifier | null;
  authTimeoutMs: number;
  maxFrameBytes: number;
  maxConnections: number;
  sendBufferLimit: number;
  slowReaderGraceMs: number;
  rateLimit: { perSecond: number; burst: number; maxViolations: number; violationWindowMs: number };
  failedAuth: { limit: number; windowMs: number };
  history: { size: number; ttlMs: number };
  /** The machine's name, stamped as `host` on events that carry none. */
  host?: string;
  /** Sequence, epoch and stamped events: in memory by default, or a NATS stream (src/bus/). */
  eventLog?: EventLog;
}

export class Hub {
  readonly eventLog: EventLog;
  readonly history: History;
  readonly metrics = new Metrics();
  readonly failedAuth: FailedAuthTracker;
  readonly expiries = new ExpirySchedule<Connection>((connection) => connection.expired());
  readonly audit: Audit | undefined;
  readonly startedAt = Date.now();
  /** Set by shutdown: connections that still arrive are turned away with 1001. */
  closing = false;
  /** Highest seq fanned out to connections; replays stop here, live delivery goes on. */
  lastPublished = 0;
  /** v1.1 attention (set by createMonitor): follows each batch after fan-out. */
  attention: AttentionService | undefined;
  private readonly connections = new Set<Connection>();
  private clientCounter = 0;
  private running: Promise<void> | undefined;

  constructor(
    readonly source: EventSource,
    readonly options: HubOptions,
    readonly log: Logger,
    auditSink?: AuditSink,
  ) {
    this.eventLog = options.eventLog ?? new MemoryLog(options.host);
    this.history = new History(options.history);
    this.failedAuth = new FailedAuthTracker(options.failedAuth.limit, options.failedAuth.windowMs);
    this.audit = createAudit(auditSink);
  }

  get epoch(): string {
    return this.eventLog.epoch;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  nextClientId(): string {
    return `client-${++this.clientCounter}`;
  }

  add(connection: Connection): void {
    this.connections.add(connection);
    this.metrics.connections = this.connections.size;
    this.metrics.connectionsTotal++;
  }

  remove(connection: Connection): void {
    this.connections.delete(connection);
    this.metrics.connections = this.connections.size;
  }

  /**
   * A notice outside the event sequence (no `seq`, not in history, not replayed), like
   * `system.lagged`: told to each connection whose subscriptions take it, serialized once.
   * For what only this server knows of, such as its own link to the bus being down.
   */
  notice(event: Notice): void {
    const json = JSON.stringify(event);
    for (const connection of this.connections) connection.notice(event, json);
  }

  /** Starts pulling from the source; resolves when the source ends. */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      for await (const batch of remember(this.eventLog.batches(this.source), this.history)) this.fanOut(batch);
    } catch (error) {
      this.log('error', 'event source failed', { error: String(error) });
      this.publish([{ type: 'system.source', data: { state: 'error', message: String(error) } }]);
    }
  }

  /** Stamps, stores and fans out events that do not come from the source (system events). */
  publish(events: RawEvent[]): void {
    const batch = this.eventLog.append(events);
    if (batch.length === 0) return;
    for (const entry of batch) this.history.push(entry);
    this.fanOut(batch);
  }

  private fanOut(batch: StampedEvent[]): void {
    const started = performance.now();
    for (const entry of batch) this.metrics.countEvent(entry.event.type);
    this.lastPublished = batch[batch.length - 1]!.event.seq;
    for (const connection of this.connections) {
      try {
        connection.deliver(batch);
      } catch (error) {
        // One broken socket must not stop delivery to the others.
        this.log('warn', 'delivery failed', { client_id: connection.id, error: String(error) });
        connection.close(1011, 'internal error');
      }
    }
    this.metrics.recordFanout(performance.now() - started);
    // After delivery, so that its own events (published from here) follow the batch.
    this.attention?.observe(batch);
  }

  /** Graceful shutdown: close every client with 1001 and stop the source. */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const connection of [...this.connections]) connection.close(CloseCode.GOING_AWAY, 'server shutting down');
    await this.source.close();
  }
}

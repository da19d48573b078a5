/**
 * The hub's EventLog backed by the stream: every server instance reads the whole stream
 * in order (an ordered consumer, which the client recreates by itself after a NATS
 * restart, from the last sequence it saw), so all of them fan out the same events with
 * the same `seq` and keep the same window in their History. Events this server adds
 * itself (system events) are published and come back the same way.
 */
import { DeliverPolicy, jetstream, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RawEvent } from '../protocol/events.ts';
import type { EventLog } from '../hub/event-log.ts';
import type { StampedEvent } from '../hub/sequencer.ts';
import { decodeEvent, encodeEvent } from './codec.ts';
import type { Publisher } from './publisher.ts';
import type { StreamHandle } from './stream.ts';
import { eventSubject } from './subjects.ts';

/** How long a resume on this instance waits for it to catch up with the stream. */
const REACH_TIMEOUT_MS = 3000;

export interface StreamLogOptions {
  nc: NatsConnection;
  stream: StreamHandle;
  prefix: string;
  /** `host` on system events this server adds. */
  host: string;
  publisher: Publisher;
  /** Sees every event as it arrives (host liveness keeps its pane table from them). */
  onEvents?: (batch: readonly StampedEvent[]) => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export class StreamLog implements EventLog {
  readonly epoch: string;
  private lastSeq = 0;
  private readonly js: JetStreamClient;
  private waiters: { seq: number; wake: () => void }[] = [];
  private stopped = false;
  private stopConsumer: (() => void) | undefined;
  private messages: { close(): Promise<void | Error> } | undefined;
  private onMessage: ((message: JsMsg) => void) | undefined;
  private generation = 0;
  /**
   * The stream's last sequence when this server started (0 if it held nothing). A resume
   * waits until this server has read that far: replaying only the part read so far would
   * answer `replay.complete` and send the rest as live events.
   */
  private readonly startTail: number;

  constructor(private readonly options: StreamLogOptions) {
    this.epoch = options.stream.epoch;
    this.startTail = options.stream.firstSeq <= options.stream.lastSeq ? options.stream.lastSeq : 0;
    this.js = jetstream(options.nc);
  }

  get last(): number {
    return this.lastSeq;
  }

  async *batches(): AsyncGenerator<StampedEvent[]> {
    const pending: JsMsg[] = [];
    let wake: (() => void) | undefined;
    this.onMessage = (message) => {
      pending.push(message);
      wake?.();
    };
    this.messages = await this.consume(1);
    this.stopConsumer = () => {
      void this.messages?.close();
      wake?.();
    };
    try {
      while (!this.stopped) {
        if (pending.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        // Whatever arrived since the last turn is one batch: per-batch work, not per-event.
        const batch: StampedEvent[] = [];
        for (const message of pending.splice(0)) {
          if (message.seq <= this.lastSeq) continue;
          const entry = decodeEvent(message.string(), message.seq);
          this.lastSeq = message.seq;
          if (entry) batch.push(entry);
          else this.options.log?.('ignoring a stream message that is not an event', { seq: message.seq, subject: message.subject });
        }
        if (batch.length === 0) continue;
        this.options.onEvents?.(batch);
        yield batch;
        this.wakeWaiters();
      }
    } finally {
      void this.messages?.close();
    }
  }

  /**
   * After the bus comes back, read on from the last sequence seen with a fresh consumer
   * rather than wait for the old one to notice (its pull may have been lost with the
   * server). Anything read twice is skipped by its sequence.
   */
  async restart(): Promise<void> {
    if (this.stopped || !this.onMessage) return;
    const generation = ++this.generation;
    const old = this.messages;
    this.messages = undefined;
    void old?.close().catch(() => {});
    const next = await this.consume(this.lastSeq + 1);
    if (generation !== this.generation || this.stopped) {
      void next.close().catch(() => {});
      return;
    }
    this.messages = next;
  }

  /** An ordered consumer from `startSeq`, retried until the stream answers. */
  private async consume(startSeq: number): Promise<{ close(): Promise<void | Error> }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const consumer = await this.js.consumers.get(
          this.options.stream.name,
          startSeq <= 1 ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq },
        );
        return await consumer.consume({ callback: (message) => this.onMessage?.(message) });
      } catch (error) {
        if (this.stopped) throw error;
        this.options.log?.('cannot read the stream yet; retrying', { attempt, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * attempt)));
      }
    }
  }

  append(events: RawEvent[]): StampedEvent[] {
    const timestamp = new Date().toISOString();
    for (const raw of events) {
      const host = raw.host ?? this.options.host;
      this.options.publisher.publish(eventSubject(this.options.prefix, host, raw), encodeEvent(host, raw, timestamp));
    }
    return [];
  }

  reach(since: number): Promise<void> | void {
    const seq = Math.max(since, this.startTail);
    if (seq <= this.lastSeq || this.stopped) return;
    return new Promise((resolve) => {
      const waiter = { seq, wake: resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, REACH_TIMEOUT_MS);
    });
  }

  close(): void {
    this.stopped = true;
    this.stopConsumer?.();
    for (const waiter of this.waiters.splice(0)) waiter.wake();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.seq <= this.lastSeq);
    this.waiters = this.waiters.filter((w) => w.seq > this.lastSeq);
    for (const waiter of ready) waiter.wake();
  }
}

/**
 * A fake transport for Connection and Outbox unit tests: it records what is sent and
 * plays a reader that keeps up (nothing stays buffered) or one that has stopped reading
 * (everything sent stays in the send buffer until `drain()`).
 */
import type { Peer } from '../../src/runtime/websocket.ts';
import type { ConnectionHub } from '../../src/hub/connection-hub.ts';
import type { HubOptions } from '../../src/hub/hub.ts';
import { createAudit } from '../../src/hub/audit.ts';
import type { Connection } from '../../src/hub/connection.ts';
import { ExpirySchedule } from '../../src/hub/expiry.ts';
import { History } from '../../src/hub/history.ts';
import { Metrics } from '../../src/hub/metrics.ts';
import { FailedAuthTracker } from '../../src/hub/rate-limit.ts';
import { createMemorySource, type MemorySource } from '../../src/hub/memory-source.ts';
import { Sequencer, type StampedEvent } from '../../src/hub/sequencer.ts';
import type { RawEvent } from '../../src/protocol/events.ts';

export class FakePeer implements Peer {
  readonly sent: string[] = [];
  buffered = 0;
  /** False: a reader that has stopped reading. */
  reading = true;
  closed: { code: number; reason: string } | undefined;
  batches = 0;

  send(text: string): void {
    if (this.closed) throw new Error('send after close');
    this.sent.push(text);
    if (!this.reading) this.buffered += text.length;
  }

  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }

  get bufferedAmount(): number {
    return this.buffered;
  }

  batch(fn: () => void): void {
    this.batches++;
    fn();
  }

  /** The reader takes everything. */
  drain(): void {
    this.buffered = 0;
  }

  messages(): Record<string, any>[] {
    return this.sent.map((text) => JSON.parse(text));
  }
}

export interface FakeHub extends ConnectionHub {
  options: HubOptions;
  lastPublished: number;
  source: MemorySource;
  history: History;
  metrics: Metrics;
  removed: number;
  /** Stamps, stores and returns events, as the hub's pipeline does. */
  stamp(events: RawEvent[]): StampedEvent[];
}

export function fakeHub(options: Partial<HubOptions> = {}): FakeHub {
  const sequencer = new Sequencer();
  const history = new History({ size: 1000, ttlMs: 300_000 });
  const hub: FakeHub = {
    options: {
      verifier: null,
      authTimeoutMs: 10_000,
      maxFrameBytes: 64 * 1024,
      maxConnections: 100,
      sendBufferLimit: 64 * 1024,
      slowReaderGraceMs: 10_000,
      rateLimit: { perSecond: 10_000, burst: 10_000, maxViolations: 10, violationWindowMs: 10_000 },
      failedAuth: { limit: 10, windowMs: 60_000 },
      history: { size: 1000, ttlMs: 300_000 },
      ...options,
    },
    epoch: 'test-epoch',
    closing: false,
    lastPublished: 0,
    history,
    eventLog: { reach: () => {} },
    source: createMemorySource(),
    audit: createAudit(undefined),
    metrics: new Metrics(),
    failedAuth: new FailedAuthTracker(10, 60_000),
    expiries: new ExpirySchedule<Connection>((connection) => connection.expired()),
    log: () => {},
    removed: 0,
    nextClientId: () => 'client-1',
    remove() {
      hub.removed++;
    },
    stamp(events) {
      const batch = sequencer.stamp(events);
      for (const entry of batch) history.push(entry);
      hub.lastPublished = batch[batch.length - 1]!.event.seq;
      return batch;
    },
  };
  return hub;
}

/** A pane.output event of about `size` characters. */
export function output(size: number, pane = 0): RawEvent {
  const content = 'x'.repeat(size - 1) + '\n';
  return {
    type: 'pane.output',
    session: 's',
    window: 0,
    pane,
    pane_id: `%${pane}`,
    data: { content, preview: 'x', severity: 'info', bytes: content.length },
  } as RawEvent;
}

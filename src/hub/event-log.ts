/**
 * Where the hub's sequence numbers, epoch and stamped events come from. The default is
 * in memory (a counter per process, a random epoch); `src/bus/stream-log.ts` backs the
 * same interface with a NATS JetStream stream, whose sequence is `seq` for every server
 * instance alike. Either way the hub keeps the recent events in its History for replay.
 */
import type { RawEvent } from '../protocol/events.ts';
import type { EventSource } from '../protocol/source.ts';
import { stamp } from './pipeline.ts';
import { newEpoch, Sequencer, type StampedEvent } from './sequencer.ts';

export interface EventLog {
  /** Names the sequence: `seq` values compare only within one epoch. */
  readonly epoch: string;
  /** Highest seq this log has handed out. */
  readonly last: number;
  /** Stamped batches in seq order, for the hub to remember and fan out. */
  batches(source: EventSource): AsyncIterable<StampedEvent[]>;
  /**
   * Adds events that do not come from the source (system events). Returns the batch when
   * it is stamped at once (memory); an empty array when it comes back through `batches()`.
   */
  append(events: RawEvent[]): StampedEvent[];
  /**
   * Resolves once events up to `seq` have come through `batches()`, and for a log read from
   * a shared stream also up to what the stream held when this server started; or gives up
   * after a short wait. Returns nothing when there is nothing to wait for.
   */
  reach(seq: number): Promise<void> | void;
}

/** The default: stamps the source's events in this process. */
export class MemoryLog implements EventLog {
  readonly epoch = newEpoch();
  private readonly sequencer: Sequencer;

  constructor(host?: string) {
    this.sequencer = new Sequencer(host);
  }

  get last(): number {
    return this.sequencer.last;
  }

  batches(source: EventSource): AsyncIterable<StampedEvent[]> {
    return stamp(source.events(), this.sequencer);
  }

  append(events: RawEvent[]): StampedEvent[] {
    return this.sequencer.stamp(events);
  }

  reach(): void {}
}

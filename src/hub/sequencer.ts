import type { MonitorEvent, RawEvent } from '../protocol/events.ts';

/** An event with its wire form, serialized once and shared by every connection. */
export interface StampedEvent {
  readonly event: MonitorEvent;
  readonly json: string;
  /** Milliseconds since the epoch when it was stamped (for the history's TTL). */
  readonly at: number;
}

/** A new server epoch: sequence numbers are only comparable within one epoch. */
export function newEpoch(): string {
  const random = crypto.getRandomValues(new Uint8Array(6));
  return Date.now().toString(36) + '-' + Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Gives events their `seq` and `timestamp`. The timestamp is taken once per batch: the
 * events of one batch arrived from tmux in one read, so they share the moment.
 */
export class Sequencer {
  private seq = 0;

  /** `host`: stamped on events that do not name one (v1.1: every event carries `host`). */
  constructor(private readonly host?: string) {}

  get last(): number {
    return this.seq;
  }

  stamp(batch: readonly RawEvent[], now = Date.now()): StampedEvent[] {
    const timestamp = new Date(now).toISOString();
    return batch.map((raw) => {
      // `type` stays the first key: readers may look at the start of a frame for it.
      const event = (
        this.host === undefined || raw.host !== undefined
          ? { ...raw, seq: ++this.seq, timestamp }
          : { ...raw, host: this.host, seq: ++this.seq, timestamp }
      ) as MonitorEvent;
      return { event, json: JSON.stringify(event), at: now };
    });
  }
}

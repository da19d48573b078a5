import type { StampedEvent } from './sequencer.ts';

export interface HistoryOptions {
  /** Most events held (default 1000). */
  size: number;
  /** Oldest event held, in milliseconds (default 300 000). */
  ttlMs: number;
}

export interface Replay {
  events: StampedEvent[];
  /** False when events after `since` are no longer held. */
  complete: boolean;
}

/**
 * The last N events no older than T, for resume after a disconnect. A ring buffer:
 * pushing is O(1) and never allocates once full.
 */
export class History {
  private readonly ring: (StampedEvent | undefined)[];
  private start = 0;
  private length = 0;
  /** Highest seq ever pushed (also when evicted). */
  private lastSeq = 0;

  constructor(private readonly options: HistoryOptions) {
    this.ring = new Array(Math.max(0, options.size));
  }

  get size(): number {
    return this.length;
  }

  push(entry: StampedEvent): void {
    this.lastSeq = entry.event.seq;
    if (this.ring.length === 0) return;
    if (this.length < this.ring.length) {
      this.ring[(this.start + this.length) % this.ring.length] = entry;
      this.length++;
    } else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.ring.length;
    }
  }

  /** Drops events older than the TTL. Called before reads, so no timer is needed. */
  expire(now = Date.now()): void {
    const oldest = now - this.options.ttlMs;
    while (this.length > 0) {
      const first = this.ring[this.start]!;
      if (first.at >= oldest) break;
      this.ring[this.start] = undefined;
      this.start = (this.start + 1) % this.ring.length;
      this.length--;
    }
  }

  /** Held events with `seq > since` and `seq <= upTo`, oldest first. */
  since(since: number, upTo: number, now = Date.now()): Replay {
    this.expire(now);
    const events: StampedEvent[] = [];
    let firstHeld = this.lastSeq + 1;
    for (let i = 0; i < this.length; i++) {
      const entry = this.ring[(this.start + i) % this.ring.length]!;
      if (i === 0) firstHeld = entry.event.seq;
      if (entry.event.seq > since && entry.event.seq <= upTo) events.push(entry);
    }
    // Complete when nothing after `since` has been evicted, and `since` is not from
    // the future (a client of an earlier epoch that did not say so).
    const complete = since + 1 >= firstHeld && since <= this.lastSeq;
    return { events, complete };
  }
}

import type { MonitorEvent } from '../protocol/events.ts';
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
 * An event as the history holds it: its wire form and seq. The event object is parsed
 * back from the JSON only when a replay reads it. Holding the flat string rather than the
 * object graph the pipeline built keeps what survives the young generation small: the
 * collector copies one string per held event instead of an object tree, on every event
 * a busy server fans out.
 */
class HeldEvent implements StampedEvent {
  private parsed: MonitorEvent | undefined;

  constructor(
    readonly json: string,
    readonly seq: number,
    readonly at: number,
  ) {}

  get event(): MonitorEvent {
    return (this.parsed ??= JSON.parse(this.json) as MonitorEvent);
  }
}

/**
 * The last N events no older than T, for resume after a disconnect. A ring buffer:
 * pushing is O(1).
 */
export class History {
  private readonly ring: (HeldEvent | undefined)[];
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
    const held = new HeldEvent(entry.json, entry.event.seq, entry.at);
    if (this.length < this.ring.length) {
      this.ring[(this.start + this.length) % this.ring.length] = held;
      this.length++;
    } else {
      this.ring[this.start] = held;
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
      if (i === 0) firstHeld = entry.seq;
      if (entry.seq > since && entry.seq <= upTo) events.push(entry);
    }
    // Complete when nothing after `since` has been evicted, and `since` is not from
    // the future (a client of an earlier epoch that did not say so).
    const complete = since + 1 >= firstHeld && since <= this.lastSeq;
    return { events, complete };
  }
}

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
 * An event a replay reads from the history: its wire form and seq, with the event object
 * parsed back from the JSON only when asked for. The history holds the flat string rather
 * than the object graph the pipeline built: what survives the young generation stays small.
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
 * The last N events no older than T, for resume after a disconnect. A ring buffer kept as
 * parallel arrays (the wire form, seq, time): pushing is O(1) and allocates nothing, and
 * what outlives the young generation is one string per held event, not an object besides
 * it. A replay wraps the events it returns (HeldEvent) when it reads them.
 */
export class History {
  private readonly json: (string | undefined)[];
  private readonly seq: Float64Array;
  private readonly at: Float64Array;
  private start = 0;
  private length = 0;
  /** Highest seq ever pushed (also when evicted). */
  private lastSeq = 0;

  constructor(private readonly options: HistoryOptions) {
    const size = Math.max(0, options.size);
    this.json = new Array(size);
    this.seq = new Float64Array(size);
    this.at = new Float64Array(size);
  }

  get size(): number {
    return this.length;
  }

  push(entry: StampedEvent): void {
    this.lastSeq = entry.event.seq;
    const capacity = this.json.length;
    if (capacity === 0) return;
    let i: number;
    if (this.length < capacity) {
      i = (this.start + this.length) % capacity;
      this.length++;
    } else {
      i = this.start;
      this.start = (this.start + 1) % capacity;
    }
    this.json[i] = entry.json;
    this.seq[i] = entry.event.seq;
    this.at[i] = entry.at;
  }

  /** Drops events older than the TTL. Called before reads, so no timer is needed. */
  expire(now = Date.now()): void {
    const oldest = now - this.options.ttlMs;
    while (this.length > 0 && this.at[this.start]! < oldest) {
      this.json[this.start] = undefined;
      this.start = (this.start + 1) % this.json.length;
      this.length--;
    }
  }

  /** Held events with `seq > since` and `seq <= upTo`, oldest first. */
  since(since: number, upTo: number, now = Date.now()): Replay {
    this.expire(now);
    const events: StampedEvent[] = [];
    const capacity = this.json.length;
    const firstHeld = this.length > 0 ? this.seq[this.start]! : this.lastSeq + 1;
    for (let n = 0; n < this.length; n++) {
      const i = (this.start + n) % capacity;
      const seq = this.seq[i]!;
      if (seq > since && seq <= upTo) events.push(new HeldEvent(this.json[i]!, seq, this.at[i]!));
    }
    // Complete when nothing after `since` has been evicted, and `since` is not from
    // the future (a client of an earlier epoch that did not say so).
    const complete = since + 1 >= firstHeld && since <= this.lastSeq;
    return { events, complete };
  }
}

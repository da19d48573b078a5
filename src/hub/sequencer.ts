import type { MonitorEvent, RawEvent } from '../protocol/events.ts';

/** An event with its wire form, serialized once and shared by every connection. */
export interface StampedEvent {
  readonly event: MonitorEvent;
  readonly json: string;
  /** Milliseconds since the epoch when it was stamped (for the history's TTL). */
  readonly at: number;
  /** The runtime's encoding of `json`, made by the first peer that sends it (Peer.sendShared). */
  wire?: unknown;
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

  /**
   * Stamps in place: a source hands its events over, and adding three fields to the
   * object it made is half the cost of copying it (a spread copy of an event also leaves
   * V8 an object that JSON.stringify serializes on its slow path). An event seen before
   * (it already has a seq) or one that cannot be changed is copied first.
   */
  stamp(batch: readonly RawEvent[], now = Date.now()): StampedEvent[] {
    const timestamp = new Date(now).toISOString();
    const stamped = new Array<StampedEvent>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      let raw = batch[i] as RawEvent & { seq?: number; timestamp?: string };
      if (raw.seq !== undefined || !Object.isExtensible(raw)) {
        const { seq: _seq, timestamp: _timestamp, ...fields } = raw;
        raw = fields as typeof raw;
      }
      // `type` stays the first key (readers may look at the start of a frame for it), and
      // host, seq, timestamp follow the source's fields in that order, as before.
      if (raw.host === undefined && this.host !== undefined) raw.host = this.host;
      raw.seq = ++this.seq;
      raw.timestamp = timestamp;
      const event = raw as MonitorEvent;
      stamped[i] = { event, json: JSON.stringify(event), at: now, wire: undefined };
    }
    return stamped;
  }
}

/**
 * What travels on the bus. An event is published as its wire form without `seq` (the
 * stream gives that); a server turns a stream message back into a StampedEvent,
 * serialized once, exactly as the in-memory sequencer would have.
 */
import type { MonitorEvent, RawEvent } from '../protocol/events.ts';
import type { StampedEvent } from '../hub/sequencer.ts';

/** The payload of a stream message: a raw event with its host and timestamp. */
export function encodeEvent(host: string, raw: RawEvent, timestamp: string): string {
  // `type` stays the first key, as the in-memory sequencer writes it.
  return JSON.stringify({ ...raw, host, timestamp });
}

/** A stream message back into an event with `seq`; undefined for a payload that is not one. */
export function decodeEvent(data: string, seq: number): StampedEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') return undefined;
  const { timestamp, ...rest } = parsed as { timestamp?: unknown } & Record<string, unknown>;
  const stamp = typeof timestamp === 'string' ? timestamp : new Date().toISOString();
  const event = { ...rest, seq, timestamp: stamp } as unknown as MonitorEvent;
  const at = Date.parse(stamp);
  return { event, json: JSON.stringify(event), at: Number.isNaN(at) ? Date.now() : at };
}

/** A request or reply of the snapshot/command RPC: `{ok: true, ...}` or `{ok: false, error}`. */
export type RpcReply<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string; details?: unknown } };

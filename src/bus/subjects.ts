/**
 * NATS subjects of the bus. They mirror the tmux tree so the broker can filter:
 *   <prefix>.ev.<host>.<session>.<event type>   events (captured by the stream)
 *   <prefix>.rpc.<host>.snapshot|command|ping   request/reply to the host's agent
 *   <prefix>.hb.<host>                          agent heartbeats (core NATS, not stored)
 * Host and session names may hold any character; in a subject token everything outside
 * [A-Za-z0-9_-] is written as ~XX (UTF-8 bytes in hex), so `.`, `*`, `>` and spaces are safe.
 */
import type { RawEvent } from '../protocol/events.ts';

const SAFE = /^[A-Za-z0-9_-]+$/;
const encoder = new TextEncoder();

/** One subject token for an arbitrary name (`_` for none). */
export function subjectToken(name: string | undefined): string {
  if (name === undefined || name === '') return '_';
  if (SAFE.test(name)) return name;
  let out = '';
  for (const char of name) {
    if (/[A-Za-z0-9_-]/.test(char)) out += char;
    else for (const byte of encoder.encode(char)) out += '~' + byte.toString(16).padStart(2, '0').toUpperCase();
  }
  return out;
}

/** A valid prefix: dot-separated tokens of [A-Za-z0-9_-]. */
export function isValidPrefix(prefix: string): boolean {
  return prefix.split('.').every((token) => SAFE.test(token));
}

export function eventsWildcard(prefix: string): string {
  return `${prefix}.ev.>`;
}

export function eventSubject(prefix: string, host: string, event: Pick<RawEvent, 'type' | 'session'>): string {
  return `${prefix}.ev.${subjectToken(host)}.${subjectToken(event.session)}.${event.type}`;
}

export type RpcKind = 'snapshot' | 'command' | 'ping';

export function rpcSubject(prefix: string, host: string, kind: RpcKind): string {
  return `${prefix}.rpc.${subjectToken(host)}.${kind}`;
}

export function heartbeatSubject(prefix: string, host: string): string {
  return `${prefix}.hb.${subjectToken(host)}`;
}

/** Agents answer a message here with a heartbeat at once: a new server learns who is there. */
export function discoverSubject(prefix: string): string {
  return `${prefix}.discover`;
}

export function heartbeatWildcard(prefix: string): string {
  return `${prefix}.hb.*`;
}

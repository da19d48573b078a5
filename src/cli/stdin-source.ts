/**
 * `serve --source stdin`: events from any program, as JSON Lines on standard input.
 *
 * Each line is one `RawEvent` (`{"type": "agent.status", "session": "ai", "data": {...}}`;
 * the server adds `seq` and `timestamp`), or `{"$sessions": [...]}`, which replaces the
 * tree that `snapshot` returns. Blank lines are skipped. A line that is not valid JSON or
 * not such an object is reported on stderr and ignored; the server carries on. When the
 * input ends the source reports `system.source` `disconnected` and the server keeps
 * serving what it holds.
 */
import { createMemorySource } from '../hub/memory-source.ts';
import { EVENT_TYPES, type RawEvent } from '../protocol/events.ts';
import type { SessionSnapshot } from '../protocol/snapshot.ts';
import type { EventSource } from '../protocol/source.ts';

const LOCATION_FIELDS: Record<string, 'string' | 'number'> = {
  session: 'string',
  session_id: 'string',
  window: 'number',
  window_id: 'string',
  window_name: 'string',
  pane: 'number',
  pane_id: 'string',
};

export type StdinLine = { event: RawEvent } | { sessions: SessionSnapshot[] } | { skip: true } | { error: string };

/** Reads one line. Checks the envelope (type, data, location fields), not each payload. */
export function parseStdinLine(line: string): StdinLine {
  if (line.trim() === '') return { skip: true };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  if ('$sessions' in record) {
    if (!Array.isArray(record.$sessions)) return { error: '"$sessions" must be an array of sessions' };
    const bad = record.$sessions.findIndex(
      (s) =>
        typeof s !== 'object' ||
        s === null ||
        typeof (s as { name?: unknown }).name !== 'string' ||
        !Array.isArray((s as { windows?: unknown }).windows),
    );
    if (bad >= 0) return { error: `"$sessions"[${bad}] needs a "name" and a "windows" array` };
    return { sessions: record.$sessions as SessionSnapshot[] };
  }
  if (typeof record.type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(record.type)) {
    return { error: `"type" must be one of ${EVENT_TYPES.join(', ')}` };
  }
  if (typeof record.data !== 'object' || record.data === null || Array.isArray(record.data)) return { error: '"data" must be an object' };
  for (const key of Object.keys(record)) {
    if (key === 'type' || key === 'data') continue;
    const kind = LOCATION_FIELDS[key];
    if (kind === undefined) return { error: `unknown field "${key}"` };
    if (typeof record[key] !== kind) return { error: `"${key}" must be a ${kind}` };
  }
  return { event: record as unknown as RawEvent };
}

export function createStdinSource(lines: AsyncIterable<string>, report: (message: string) => void): EventSource {
  const source = createMemorySource();
  let closed = false;
  const pump = async () => {
    let n = 0;
    try {
      for await (const line of lines) {
        n++;
        if (closed) break;
        const parsed = parseStdinLine(line);
        if ('event' in parsed) source.push(parsed.event);
        else if ('sessions' in parsed) source.sessions = parsed.sessions;
        else if ('error' in parsed) report(`stdin line ${n} ignored: ${parsed.error}`);
      }
    } catch (error) {
      report(`stdin failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!closed) source.setState('disconnected', 'standard input ended');
  };
  void pump();
  return {
    events: () => source.events(),
    get state() {
      return source.state;
    },
    snapshot: (target, lines) => source.snapshot(target, lines),
    command: (request) => source.command(request),
    async close() {
      closed = true;
      await source.close();
    },
  };
}

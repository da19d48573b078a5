/**
 * Subscription filters (docs/protocol.md, "Filters"): any entry of one list may match
 * (OR); every non-empty list must match (AND). A list about a level an event does not
 * have (a `panes` list and a session event, say) does not exclude it: system events pass
 * every location list, and so do session events the `windows` and `panes` lists.
 */
import * as v from 'valibot';
import { legacyFilters } from '../protocol/compat.ts';
import type { MonitorEvent } from '../protocol/events.ts';
import { describeIssues, FiltersSchema, type Filters, type Issue } from '../protocol/schemas.ts';

export type EventPredicate = (event: MonitorEvent) => boolean;

export interface NormalizedFilters {
  types: string[];
  sessions: (string | number)[];
  /** v1.1: host names; same rules as `sessions` (events with no host pass). Present only when given, as v1 echoed four lists. */
  hosts?: (string | number)[];
  windows: (string | number)[];
  panes: (string | number)[];
}

/**
 * No filter at all, what most clients subscribe with: one frozen copy shared by all of them
 * (10,000 dashboards then hold no lists of their own), and one predicate.
 */
const EVERYTHING = Object.freeze({
  types: Object.freeze([]),
  sessions: Object.freeze([]),
  windows: Object.freeze([]),
  panes: Object.freeze([]),
}) as unknown as NormalizedFilters;
const MATCH_ALL: EventPredicate = () => true;

export function normalizeFilters(filters: Filters | undefined): NormalizedFilters {
  if (
    !filters?.types?.length &&
    !filters?.sessions?.length &&
    !filters?.hosts?.length &&
    !filters?.windows?.length &&
    !filters?.panes?.length
  ) {
    return EVERYTHING;
  }
  // Most lists are empty or hold one entry: no set to make for those.
  const unique = <T>(list: readonly T[] | undefined): T[] => (!list || list.length < 2 ? [...(list ?? [])] : [...new Set(list)]);
  return {
    types: unique(filters?.types),
    sessions: unique(filters?.sessions),
    ...(filters?.hosts?.length ? { hosts: unique(filters.hosts) } : {}),
    windows: unique(filters?.windows),
    panes: unique(filters?.panes),
  };
}

export type FiltersResult =
  | { ok: true; filters: NormalizedFilters }
  | { ok: false; code: 'INVALID_FILTER'; message: string; details: Issue[] };

/** Filters as a client sent them (the first implementation's spellings too), normalized; never throws. */
export function parseFilters(raw: unknown): FiltersResult {
  const parsed = v.safeParse(FiltersSchema, legacyFilters(raw));
  if (parsed.success) return { ok: true, filters: normalizeFilters(parsed.output) };
  const details = describeIssues(parsed.issues).map((d) => ({ ...d, path: d.path ? `filters.${d.path}` : 'filters' }));
  return {
    ok: false,
    code: 'INVALID_FILTER',
    message: `invalid filter: ${details.map((d) => `${d.path} (${d.message})`).join(', ')}`,
    details,
  };
}

export function compileFilters(filters: NormalizedFilters): EventPredicate {
  if (filters === EVERYTHING) return MATCH_ALL;
  const checks: EventPredicate[] = [];
  if (filters.types.length > 0 && !filters.types.includes('*')) checks.push(typeMatcher(filters.types));
  if (filters.sessions.length > 0) checks.push(sessionMatcher(filters.sessions));
  if (filters.hosts?.length) checks.push(hostMatcher(filters.hosts));
  if (filters.windows.length > 0) checks.push(windowMatcher(filters.windows));
  if (filters.panes.length > 0) checks.push(paneMatcher(filters.panes));
  if (checks.length === 0) return MATCH_ALL;
  if (checks.length === 1) return checks[0]!;
  return (event) => {
    for (const check of checks) if (!check(event)) return false;
    return true;
  };
}

function typeMatcher(patterns: readonly string[]): EventPredicate {
  const exact = new Set(patterns.filter((p) => !p.endsWith('.*')));
  const families = patterns.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
  return (event) => exact.has(event.type) || families.some((prefix) => event.type.startsWith(prefix));
}

function sessionMatcher(entries: readonly (string | number)[]): EventPredicate {
  const wanted = new Set(entries.map(String));
  return (event) => {
    if (event.session === undefined) return true;
    if (wanted.has(event.session) || (event.session_id !== undefined && wanted.has(event.session_id))) return true;
    // A rename concerns both names: a client filtering on the old one learns the new one.
    return event.type === 'session.renamed' && wanted.has(event.data.old_name);
  };
}

function hostMatcher(entries: readonly (string | number)[]): EventPredicate {
  const wanted = new Set(entries.map(String));
  return (event) => event.host === undefined || wanted.has(event.host);
}

function windowMatcher(entries: readonly (string | number)[]): EventPredicate {
  const wanted = new Set(entries.map(String));
  return (event) => {
    if (event.window === undefined) return true;
    return (
      wanted.has(String(event.window)) ||
      (event.window_id !== undefined && wanted.has(event.window_id)) ||
      (event.window_name !== undefined && wanted.has(event.window_name))
    );
  };
}

/** `%3`, a pane index, or a `session:window.pane` target (window by index or name). */
function paneMatcher(entries: readonly (string | number)[]): EventPredicate {
  const ids = new Set<string>();
  const indexes = new Set<number>();
  const targets: { session: string; window: string; pane: number }[] = [];
  for (const entry of entries) {
    if (typeof entry === 'number') indexes.add(entry);
    else if (/^\d+$/.test(entry)) indexes.add(Number(entry));
    else {
      const target = /^(.+):([^.:]+)\.(\d+)$/.exec(entry);
      if (target) targets.push({ session: target[1]!, window: target[2]!, pane: Number(target[3]) });
      else ids.add(entry);
    }
  }
  return (event) => {
    if (event.pane === undefined && event.pane_id === undefined) return true;
    if (event.pane_id !== undefined && ids.has(event.pane_id)) return true;
    if (event.pane !== undefined && indexes.has(event.pane)) return true;
    return targets.some(
      (t) =>
        t.pane === event.pane &&
        (t.session === event.session || t.session === event.session_id) &&
        (t.window === String(event.window) || t.window === event.window_name || t.window === event.window_id),
    );
  };
}

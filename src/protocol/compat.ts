/**
 * What the first implementation's clients send, accepted as they send it
 * (/work/shared/protocol.md, "Additions in v1.1"):
 * - event types we do not know (a made-up `test.event`, a typo) are accepted in `types`,
 *   never match, and are listed back as `unknown_types` so a typo stays visible;
 * - its `pane.command` (the echo of a command line typed at a prompt) is a known name that
 *   no event of ours carries yet: accepted, never listed as unknown;
 * - `filters: null` or `[]`, and a list given as `null`, mean "no filter";
 * - `unsubscribe` by `filters` removes the subscriptions with exactly those filters.
 */
import { EVENT_TYPES } from './events.ts';

/** The first implementation's event types that we accept by name. */
export const COMPAT_EVENT_TYPES: readonly string[] = ['pane.command'];

export const MAX_TYPE_LENGTH = 64;

/** `*`, a dotted name (`agent.status`, `test.event`) or a family (`pane.*`). */
export function isWellFormedType(pattern: string): boolean {
  return pattern.length <= MAX_TYPE_LENGTH && /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/.test(pattern);
}

/** A type, family or `*` that names something we can send (or the compat names). */
export function isKnownType(pattern: string): boolean {
  if (pattern === '*' || COMPAT_EVENT_TYPES.includes(pattern)) return true;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1);
    return EVENT_TYPES.some((t) => t.startsWith(prefix)) || COMPAT_EVENT_TYPES.some((t) => t.startsWith(prefix));
  }
  return (EVENT_TYPES as readonly string[]).includes(pattern);
}

export function unknownTypes(types: readonly string[]): string[] {
  return types.filter((t) => !isKnownType(t));
}

/** The first implementation's "no filter" spellings, made ours: `null`/`[]` → `{}`, `null` lists dropped. */
export function legacyFilters(raw: unknown): unknown {
  if (raw === null || raw === undefined || (Array.isArray(raw) && raw.length === 0)) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
}

type FilterLists = Readonly<Record<'types' | 'sessions' | 'windows' | 'panes', readonly (string | number)[]>>;

/** Same filters, whatever the order or repetition of the entries of each list. */
export function sameFilters(a: FilterLists, b: FilterLists): boolean {
  const canonical = (list: readonly (string | number)[]) => JSON.stringify([...new Set(list.map((e) => JSON.stringify(e)))].sort());
  return (['types', 'sessions', 'windows', 'panes'] as const).every((key) => canonical(a[key]) === canonical(b[key]));
}

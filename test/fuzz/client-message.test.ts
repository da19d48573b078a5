/**
 * Property tests for what a client may send: no input makes the parser or the filters
 * throw, and every refusal carries a protocol error code (docs/protocol.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../../src/protocol/events.ts';
import { EVENT_TYPES } from '../../src/protocol/events.ts';
import { ERROR_CODES } from '../../src/protocol/errors.ts';
import { parseClientMessage } from '../../src/protocol/parse.ts';
import { ACTIONS } from '../../src/protocol/schemas.ts';
import { compileFilters, parseFilters } from '../../src/hub/filters.ts';
import { compileScope } from '../../src/auth/scope.ts';
import { runs, TIMEOUT_MS } from './runs.ts';

const codes: readonly string[] = ERROR_CODES;

/** Strings a client might plausibly (or adversarially) put anywhere. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    '*',
    'pane.*',
    'agent.status',
    'pane.command',
    'test.event',
    '%1',
    '$1',
    '@1',
    'main:0.1',
    '__proto__',
    'constructor',
    '\u0000',
    '\ud800',
  ),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('any'), { maxLength: 5 }),
    fc.dictionary(text, tie('any'), { maxKeys: 5 }),
  ),
})).any;
const filterList = fc.oneof(fc.array(fc.oneof(text, fc.nat(), value), { maxLength: 6 }), value);
const filters = fc.oneof(
  value,
  fc.record({ types: filterList, sessions: filterList, windows: filterList, panes: filterList }, { requiredKeys: [] }),
);
/** Messages shaped like the real ones, with fields that may be wrong in every way. */
const message = fc.record(
  {
    action: fc.oneof(fc.constantFrom(...ACTIONS), text, value),
    id: fc.oneof(text, fc.integer(), fc.double(), value),
    token: fc.oneof(text, value),
    filters,
    since: fc.oneof(fc.nat(), fc.integer(), fc.double(), value),
    epoch: fc.oneof(text, value),
    subscription: fc.oneof(text, value),
    target: fc.oneof(
      fc.record(
        { session: fc.oneof(text, value), window: fc.oneof(text, fc.integer(), value), pane: fc.oneof(text, fc.integer(), value) },
        { requiredKeys: [] },
      ),
      value,
    ),
    lines: fc.oneof(fc.integer(), fc.double(), value),
    command: fc.oneof(fc.constantFrom('send', 'interrupt'), text),
    text: fc.oneof(text, value),
    enter: fc.oneof(fc.boolean(), value),
    extra: value,
  },
  { requiredKeys: ['action'] },
);

const event = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES), text),
    session: text,
    session_id: text,
    window: fc.nat(),
    window_id: text,
    window_name: text,
    pane: fc.nat(),
    pane_id: text,
    data: fc.record({ old_name: text }),
  },
  { requiredKeys: ['type', 'data'] },
) as fc.Arbitrary<unknown> as fc.Arbitrary<MonitorEvent>;

describe('client messages (property)', () => {
  it('any text: parsed or refused with a code, never thrown', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.json(),
          message.map((m) => JSON.stringify(m)),
        ),
        (raw) => {
          const result = parseClientMessage(raw);
          if (result.ok) {
            expect(ACTIONS).toContain(result.message.action);
          } else {
            expect(codes).toContain(result.code);
            expect(['INVALID_JSON', 'INVALID_MESSAGE', 'UNKNOWN_ACTION']).toContain(result.code);
            expect(result.message.length).toBeGreaterThan(0);
          }
        },
      ),
      runs(),
    );
  });

  it('a message that parses, re-serialized, parses to the same message', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(message, (m) => {
        const first = parseClientMessage(JSON.stringify(m));
        if (!first.ok) return;
        const again = parseClientMessage(JSON.stringify(first.message));
        expect(again).toEqual(first);
      }),
      runs(),
    );
  });
});

describe('filters (property)', () => {
  it('any filters: normalized or INVALID_FILTER with details; the compiled predicate never throws', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(filters, fc.array(event, { maxLength: 5 }), (raw, events) => {
        const result = parseFilters(raw);
        if (!result.ok) {
          expect(result.code).toBe('INVALID_FILTER');
          expect(result.details.length).toBeGreaterThan(0);
          return;
        }
        const matches = compileFilters(result.filters);
        for (const e of events) expect(typeof matches(e)).toBe('boolean');
        // Normalizing twice changes nothing.
        const again = parseFilters(result.filters);
        expect(again).toEqual(result);
      }),
      runs(),
    );
  });

  it('unknown types never match; `*` matches every event', { timeout: TIMEOUT_MS }, () => {
    const unknown = fc.stringMatching(/^[a-z]{1,8}\.[a-z]{1,8}$/).filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    fc.assert(
      fc.property(unknown, event, (type, e) => {
        const only = parseFilters({ types: [type] });
        expect(only.ok).toBe(true);
        if (only.ok && !(EVENT_TYPES as readonly string[]).includes(e.type) && e.type !== type)
          expect(compileFilters(only.filters)(e)).toBe(false);
        const all = parseFilters({ types: ['*'] });
        if (all.ok) expect(compileFilters(all.filters)(e)).toBe(true);
      }),
      runs(),
    );
  });

  it('scope patterns: any pattern against any name answers, and agrees with a reference', { timeout: TIMEOUT_MS }, () => {
    const glob = fc.stringMatching(/^[ab*$-]{0,12}$/);
    const name = fc.stringMatching(/^[ab$-]{0,16}$/);
    fc.assert(
      fc.property(glob, name, (pattern, n) => {
        const scope = compileScope([pattern])!;
        const byName = !pattern.startsWith('$') && reference(pattern, n);
        expect(scope(n)).toBe(byName);
        const isId = pattern.startsWith('$');
        expect(scope('x', n)).toBe(isId ? reference(pattern, n) : reference(pattern, 'x'));
      }),
      runs(),
    );
  });
});

/** `*` as any run, everything else literal, via a (safe, anchored) regex built from the pieces. */
function reference(pattern: string, textIn: string): boolean {
  const source = pattern
    .split('*')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))
    .join('[^]*');
  return new RegExp(`^${source}$`).test(textIn);
}

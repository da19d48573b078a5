import { describe, expect, it } from 'vitest';
import { compileFilters, normalizeFilters } from '../../src/hub/filters.ts';
import type { MonitorEvent, RawEvent } from '../../src/protocol/events.ts';

const stamp = (raw: RawEvent): MonitorEvent => ({ ...raw, seq: 1, timestamp: '' }) as MonitorEvent;
const agent = stamp({
  type: 'agent.status',
  session: 'api',
  session_id: '$1',
  window: 2,
  window_id: '@5',
  window_name: 'claude',
  pane: 1,
  pane_id: '%9',
  data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: '' },
});
const sessionEvent = stamp({ type: 'session.created', session: 'api', session_id: '$1', data: { session: 'api', windows: 1, path: '/' } });
const system = stamp({ type: 'system.source', data: { state: 'connected', message: '' } });
const matches = (filters: Parameters<typeof normalizeFilters>[0], event: MonitorEvent) => compileFilters(normalizeFilters(filters))(event);

describe('filters', () => {
  it('match everything when empty', () => {
    expect(matches({}, agent)).toBe(true);
    expect(matches({ types: [], sessions: [] }, system)).toBe(true);
  });

  it('match types exactly, by family and by *', () => {
    expect(matches({ types: ['agent.status'] }, agent)).toBe(true);
    expect(matches({ types: ['agent.*'] }, agent)).toBe(true);
    expect(matches({ types: ['*'] }, agent)).toBe(true);
    expect(matches({ types: ['pane.*', 'session.*'] }, agent)).toBe(false);
    expect(matches({ types: ['session.*'] }, sessionEvent)).toBe(true);
  });

  it('match sessions by name or id, windows by index, name or id, panes by id, index or target', () => {
    expect(matches({ sessions: ['api'] }, agent)).toBe(true);
    expect(matches({ sessions: ['$1'] }, agent)).toBe(true);
    expect(matches({ sessions: ['web'] }, agent)).toBe(false);
    for (const w of [2, '2', 'claude', '@5']) expect(matches({ windows: [w] }, agent)).toBe(true);
    expect(matches({ windows: [3] }, agent)).toBe(false);
    for (const p of ['%9', 1, 'api:2.1', 'api:claude.1', '$1:@5.1']) expect(matches({ panes: [p] }, agent)).toBe(true);
    expect(matches({ panes: ['api:2.0', '%8'] }, agent)).toBe(false);
  });

  it('AND across lists, OR within', () => {
    expect(matches({ types: ['agent.status'], sessions: ['web', 'api'] }, agent)).toBe(true);
    expect(matches({ types: ['pane.output'], sessions: ['api'] }, agent)).toBe(false);
    expect(matches({ sessions: ['api'], windows: [0] }, agent)).toBe(false);
  });

  it('let events without that level of location pass location lists', () => {
    expect(matches({ sessions: ['web'] }, system)).toBe(true);
    expect(matches({ windows: [9], panes: ['%1'] }, sessionEvent)).toBe(true);
    expect(matches({ sessions: ['web'] }, sessionEvent)).toBe(false);
  });

  it('match a rename by its old name too', () => {
    const rename = stamp({ type: 'session.renamed', session: 'new', data: { old_name: 'old', new_name: 'new' } });
    expect(matches({ sessions: ['old'] }, rename)).toBe(true);
    expect(matches({ sessions: ['new'] }, rename)).toBe(true);
    expect(matches({ sessions: ['other'] }, rename)).toBe(false);
  });

  it('normalise to four de-duplicated lists', () => {
    expect(normalizeFilters({ types: ['a.b', 'a.b'] })).toEqual({ types: ['a.b'], sessions: [], windows: [], panes: [] });
  });

  it('share one frozen value (and one predicate) for no filter at all, however it is spelled', () => {
    const none = normalizeFilters(undefined);
    expect(none).toEqual({ types: [], sessions: [], windows: [], panes: [] });
    expect(normalizeFilters({})).toBe(none);
    expect(normalizeFilters({ types: [], sessions: [], hosts: [], windows: [], panes: [] })).toBe(none);
    expect(Object.isFrozen(none) && Object.isFrozen(none.types)).toBe(true);
    expect(compileFilters(none)).toBe(compileFilters(normalizeFilters({})));
    expect(normalizeFilters({ panes: ['%1'] })).not.toBe(none);
  });
});

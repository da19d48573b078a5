/**
 * The first implementation's message forms, on a real server with an in-memory source:
 * unknown types, `pane.command`, `unsubscribe` by filters, the "no filter" spellings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawEvent } from '../../src/protocol/events.ts';
import { isKnownType, isWellFormedType, legacyFilters, sameFilters } from '../../src/protocol/compat.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TestClient } from '../helpers/ws-client.ts';

const status = (session: string): RawEvent => ({
  type: 'agent.status',
  session,
  window: 0,
  pane: 0,
  pane_id: '%0',
  data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 'test' },
});

describe('compatibility forms', () => {
  let server: TestServer;
  let client: TestClient;
  beforeAll(async () => {
    server = await startServer();
    client = await TestClient.authed(server.url, await server.token());
  });
  afterAll(async () => {
    client?.ws.terminate();
    await server?.close();
  });

  it('accepts unknown well-formed types, lists them, and never matches them', async () => {
    const confirmed = await client.request({
      action: 'subscribe',
      filters: { types: ['test.event', 'pane.command', 'nope.*', 'agent.status'] },
    });
    expect(confirmed).toMatchObject({ type: 'subscription.confirmed', unknown_types: ['test.event', 'nope.*'] });
    server.source.push(status('s1'));
    expect((await client.next('agent.status')).session).toBe('s1');
    const malformed = await client.request({ action: 'subscribe', filters: { types: ['two words', ''] } });
    expect(malformed.code).toBe('INVALID_FILTER');
    expect(malformed.details.map((d: { path: string }) => d.path)).toEqual(['filters.types.0', 'filters.types.1']);
    await client.request({ action: 'unsubscribe' });
  });

  it('unsubscribes by exactly the filters given, in any order', async () => {
    const a = await client.request({ action: 'subscribe', filters: { types: ['agent.status', 'pane.output'], sessions: ['x'] } });
    const b = await client.request({ action: 'subscribe', filters: { types: ['agent.status'] } });
    const none = await client.request({ action: 'unsubscribe', filters: { types: ['agent.status'], sessions: ['y'] } });
    expect(none.code).toBe('NOT_FOUND');
    const gone = await client.request({
      action: 'unsubscribe',
      filters: { sessions: ['x'], types: ['pane.output', 'agent.status', 'pane.output'] },
    });
    expect(gone).toMatchObject({ type: 'unsubscribe.confirmed', subscriptions: [b.subscription] });
    expect(a.subscription).not.toBe(b.subscription);
    const both = await client.request({ action: 'unsubscribe', subscription: b.subscription, filters: {} });
    expect(both.code).toBe('INVALID_MESSAGE');
    expect((await client.request({ action: 'unsubscribe', filters: { types: 'x' } })).code).toBe('INVALID_FILTER');
    await client.request({ action: 'unsubscribe' });
  });

  it('reads filters null, [] and null lists as no filter, and a null snapshot target as the whole tree', async () => {
    for (const filters of [null, [], { types: null, sessions: null }]) {
      const confirmed = await client.request({ action: 'subscribe', filters });
      expect(confirmed, JSON.stringify(filters)).toMatchObject({
        type: 'subscription.confirmed',
        filters: { types: [], sessions: [], windows: [], panes: [] },
      });
    }
    server.source.push(status('s2'));
    expect((await client.next('agent.status')).session).toBe('s2');
    const removed = await client.request({ action: 'unsubscribe', filters: null });
    expect(removed).toMatchObject({ type: 'unsubscribe.confirmed', subscriptions: [] });
    const ack = await client.request({ action: 'snapshot', target: null });
    expect(ack).toMatchObject({ type: 'snapshot.acknowledged', target: null });
    expect((await client.next('snapshot.data')).data.sessions).toEqual([]);
  });

  it('helpers', () => {
    expect(['*', 'pane.*', 'pane.command', 'agent.status', 'system.*'].every(isKnownType)).toBe(true);
    expect(['test.event', 'x.*', 'pane'].some(isKnownType)).toBe(false);
    expect(['a', 'a.b', 'a-b.c_d', 'a.*', '*'].every(isWellFormedType)).toBe(true);
    expect(['', 'a b', 'a..b', '.a', 'a.', '**', 'a.*.b', 'x'.repeat(65)].some(isWellFormedType)).toBe(false);
    expect(legacyFilters(null)).toEqual({});
    expect(legacyFilters({ types: null, panes: ['%1'] })).toEqual({ panes: ['%1'] });
    const empty = { types: [], sessions: [], windows: [], panes: [] };
    expect(sameFilters({ ...empty, sessions: [1, 'a'] }, { ...empty, sessions: ['a', 1, 1] })).toBe(true);
    expect(sameFilters({ ...empty, sessions: [1] }, { ...empty, sessions: ['1'] })).toBe(false);
  });
});

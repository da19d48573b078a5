/**
 * The v1.1 host level on one machine, without NATS: `host` on every event and snapshot
 * session, the `hosts` filter, the `hosts` token claim and `host` in targets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TestClient } from '../helpers/ws-client.ts';

const tree = [
  {
    name: 'alpha',
    id: '$1',
    attached: 0,
    created: new Date(0).toISOString(),
    windows: [
      {
        index: 0,
        id: '@1',
        name: 'w',
        active: true,
        panes: [
          {
            index: 0,
            id: '%1',
            pid: 1,
            command: 'bash',
            title: '',
            path: '/',
            dead: false,
            agent: { status: 'ready' as const, agent_type: 'shell' },
          },
        ],
      },
    ],
  },
];

describe('hosts without NATS', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const authed = async (claims = {}) => {
    const client = await TestClient.authed(server.url, await server.token(claims));
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    server = await startServer({ host: 'box-a' });
    server.source.sessions = tree;
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await server.close();
  });

  it('stamps host on events and snapshot sessions', async () => {
    const client = await authed();
    await client.request({ action: 'subscribe', filters: { types: ['agent.status'] } });
    server.source.push({
      type: 'agent.status',
      session: 'alpha',
      window: 0,
      pane: 0,
      pane_id: '%1',
      data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 't' },
    });
    expect(await client.next('agent.status')).toMatchObject({ host: 'box-a', session: 'alpha' });
    const snap = await client.request({ action: 'snapshot' });
    expect(snap.type).toBe('snapshot.acknowledged');
    const data = await client.next('snapshot.data');
    expect(data.data.sessions[0]).toMatchObject({ host: 'box-a', name: 'alpha' });
  });

  it('filters by hosts', async () => {
    const other = await authed();
    const mine = await authed();
    const confirmed = await other.request({ action: 'subscribe', filters: { hosts: ['box-b'] } });
    expect(confirmed.filters.hosts).toEqual(['box-b']);
    await mine.request({ action: 'subscribe', filters: { hosts: ['box-a'], types: ['session.created'] } });
    await other.request({ action: 'subscribe', filters: { types: ['window.created'] } });
    server.source.push({ type: 'session.created', session: 's1', data: { session: 's1', windows: 1, path: '/' } });
    server.source.push({ type: 'window.created', session: 's1', window: 1, data: { window_info: { name: 'x' } } });
    expect(await mine.next('session.created')).toMatchObject({ host: 'box-a', session: 's1' });
    // The second subscription's event arrives; the host-filtered one never did.
    expect(await other.next((m) => m.type === 'session.created' || m.type === 'window.created')).toMatchObject({ type: 'window.created' });
  });

  it('a target naming this host works; another host is not found', async () => {
    const client = await authed();
    const ok = await client.request({ action: 'command', target: { host: 'box-a', session: 'alpha', window: 0 }, command: 'interrupt' });
    expect(ok).toMatchObject({ type: 'command.result', success: true });
    // The source gets the pane the target reached, pinned by its ids (the host is this machine: dropped).
    expect(server.source.commands.at(-1)!.target).toMatchObject({
      session: expect.stringMatching(/^\$/),
      window: expect.stringMatching(/^@/),
    });
    expect(server.source.commands.at(-1)!.target).not.toHaveProperty('host');
    const missing = await client.request({ action: 'snapshot', target: { host: 'box-z', session: 'alpha' } });
    expect(missing).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
  });

  it('a token scoped to another host sees nothing of this one', async () => {
    const client = await authed({ hosts: ['box-b'] });
    expect(client.messages.find((m) => m.type === 'auth.response')!.hosts).toEqual(['box-b']);
    await client.request({ action: 'subscribe', filters: {} });
    const snap = await client.request({ action: 'snapshot' });
    expect(snap.type).toBe('snapshot.acknowledged');
    expect((await client.next('snapshot.data')).data.sessions).toEqual([]);
    const denied = await client.request({
      action: 'command',
      target: { host: 'box-a', session: 'alpha', window: 0 },
      command: 'interrupt',
    });
    expect(denied).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
    server.source.push({ type: 'session.created', session: 'hidden', data: { session: 'hidden', windows: 1, path: '/' } });
    const scoped = await authed({ hosts: ['box-*'] });
    await scoped.request({ action: 'subscribe', filters: { types: ['session.created'], sessions: ['seen'] } });
    server.source.push({ type: 'session.created', session: 'seen', data: { session: 'seen', windows: 1, path: '/' } });
    expect(await scoped.next('session.created')).toMatchObject({ session: 'seen', host: 'box-a' });
    // By now the earlier event has been fanned out too, and did not reach the box-b token.
    expect(client.messages.some((m) => m.type === 'session.created')).toBe(false);
  });
});

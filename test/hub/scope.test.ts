/**
 * Scope is checked on what a target reaches (issue 12, failures 2 and 3): a token scoped
 * by session name cannot reach another session through its id, and a target outside the
 * scope answers exactly as one that does not exist — same code, same message, same work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TestClient, type Message } from '../helpers/ws-client.ts';

const pane = (index: number, id: string, active = index === 0) => ({
  index,
  id,
  pid: 100,
  command: 'bash',
  title: '',
  path: '/tmp',
  dead: false,
  active,
  agent: { status: 'ready' as const, agent_type: 'shell' },
});
const session = (name: string, id: string, windows: SessionSnapshot['windows']): SessionSnapshot => ({
  name,
  id,
  attached: 0,
  created: new Date(0).toISOString(),
  windows,
});
const TREE: SessionSnapshot[] = [
  session('a2', '$1', [{ index: 0, id: '@1', name: 'main', active: true, panes: [pane(0, '%1'), pane(1, '%4', false)] }]),
  session('b', '$2', [
    { index: 0, id: '@2', name: 'main', active: true, panes: [pane(0, '%2')] },
    { index: 1, id: '@3', name: 'secret-win', active: false, panes: [pane(0, '%3')] },
  ]),
];
/** The same world without the session the token may not see. */
const WITHOUT_B = TREE.slice(0, 1);

describe('scope on resolved targets', () => {
  let server: TestServer;
  let scoped: TestClient;
  const audit: Record<string, unknown>[] = [];
  let snapshotCalls = 0;

  beforeAll(async () => {
    server = await startServer({ audit: (record) => audit.push(record) });
    server.source.sessions = TREE;
    const snapshot = server.source.snapshot.bind(server.source);
    server.source.snapshot = (target, lines) => {
      snapshotCalls++;
      return snapshot(target, lines);
    };
    // `*2` matches the string "$2" (the id of session b) but not the name "b".
    scoped = await TestClient.authed(server.url, await server.token({ sub: 'scoped', role: 'operator', sessions: ['*2'] }));
  });
  afterAll(async () => {
    scoped?.ws.terminate();
    await server?.close();
  });

  /** The reply to `message`, without its timestamp and id, and how many tree reads it took. */
  const ask = async (message: Record<string, unknown>): Promise<{ reply: Partial<Message>; reads: number }> => {
    const before = snapshotCalls;
    const { timestamp: _t, id: _id, ...reply } = await scoped.request(message);
    return { reply, reads: snapshotCalls - before };
  };

  it('does not type into a session reached by the id its name pattern happens to match', async () => {
    const refused = await ask({ action: 'command', target: { session: '$2', window: 0 }, command: 'send', text: 'rm -rf ~' });
    expect(refused.reply.code).toBe('NOT_FOUND');
    expect(server.source.commands).toEqual([]);

    const ok = await scoped.request({ action: 'command', target: { session: '$1', window: 0 }, command: 'send', text: 'ls' });
    expect(ok).toMatchObject({ type: 'command.result', success: true, target: { session: '$1', window: 0 } });
    // The source is handed the resolved pane by id, the one that was checked.
    expect(server.source.commands).toEqual([
      { target: { session: '$1', window: '@1', pane: '%1' }, command: 'send', text: 'ls', enter: true },
    ]);
    const record = audit.findLast((r) => r.event === 'command');
    expect(record).toMatchObject({
      subject: 'scoped',
      reached: { session: 'a2', session_id: '$1', window: 0, window_id: '@1', pane: 0, pane_id: '%1' },
    });
    const rejected = audit.findLast((r) => r.event === 'rejected' && r.action === 'command');
    expect(rejected).toMatchObject({ code: 'NOT_FOUND', target: { session: '$2', window: 0 }, remote: '127.0.0.1' });
  });

  it('answers targets outside the scope exactly as targets that do not exist', async () => {
    const probes: Record<string, unknown>[] = [
      { action: 'snapshot', target: { session: 'b' } },
      { action: 'snapshot', target: { session: '$2' } },
      { action: 'snapshot', target: { window: 'secret-win' } },
      { action: 'snapshot', target: { window: '@3' } },
      { action: 'snapshot', target: { pane: '%3' } },
      { action: 'snapshot', target: { session: 'b', window: 1 }, lines: 10 },
      { action: 'command', target: { session: 'b', window: 'secret-win' }, command: 'interrupt' },
      { action: 'command', target: { session: '$2', window: 0, pane: '%2' }, command: 'send', text: 'x' },
    ];
    const withB = [];
    for (const probe of probes) withB.push(await ask(probe));
    server.source.sessions = WITHOUT_B;
    try {
      for (const [i, probe] of probes.entries()) {
        const absent = await ask(probe);
        expect(withB[i]!.reply.code, JSON.stringify(probe)).toBe('NOT_FOUND');
        // Same code, same message, same work (one read of the tree) as when it does not exist.
        expect(withB[i], JSON.stringify(probe)).toEqual(absent);
      }
    } finally {
      server.source.sessions = TREE;
    }
    expect(server.source.commands.filter((c) => c.target.session !== '$1')).toEqual([]);
  });

  it('still narrows inside the scope, by name, id, window name and pane id', async () => {
    for (const target of [{ session: 'a2' }, { session: '$1' }, { window: 'main' }, { pane: '%4' }]) {
      await scoped.request({ action: 'snapshot', target });
      const data = await scoped.next('snapshot.data');
      expect(
        data.data.sessions.map((s: SessionSnapshot) => s.name),
        JSON.stringify(target),
      ).toEqual(['a2']);
    }
    await scoped.request({ action: 'snapshot' });
    expect((await scoped.next('snapshot.data')).data.sessions.map((s: SessionSnapshot) => s.id)).toEqual(['$1']);
  });

  it('lets an id pattern reach a session by id', async () => {
    const byId = await TestClient.authed(server.url, await server.token({ role: 'operator', sessions: ['$2'] }));
    try {
      await byId.request({ action: 'snapshot', target: { window: 'secret-win' } });
      expect((await byId.next('snapshot.data')).data.sessions.map((s: SessionSnapshot) => s.name)).toEqual(['b']);
      expect((await byId.request({ action: 'snapshot', target: { session: 'a2' } })).code).toBe('NOT_FOUND');
    } finally {
      byId.ws.terminate();
    }
  });
});

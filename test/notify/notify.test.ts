/**
 * Notifications out, to a local HTTP receiver: one signed POST when a pane goes waiting
 * (real tmux, fake agent screens), none for a pane a person looks at or that was acked;
 * retries with growing gaps on 500, none on 400; a dead receiver delays nothing else.
 */
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemorySource } from '../../src/hub/memory-source.ts';
import { Notifier, type AttemptRecord } from '../../src/notify/index.ts';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import type { AgentStatus } from '../../src/protocol/events.ts';
import { attachClient, type AttachedClient } from '../helpers/attach.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient, type Message } from '../helpers/ws-client.ts';

const RUN = fileURLToPath(new URL('../fixtures/agents/run.sh', import.meta.url));
const SECRET = 'webhook-secret-for-tests';

let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

describe('notifications from a real tmux', () => {
  let t: TestTmux;
  let server: TestServer<TmuxSource>;
  let client: TestClient;
  /** The first message matching (from the start: waits on two panes may arrive in either order). */
  const seen = (match: (m: Message) => boolean, timeoutMs = 8000): Promise<Message> =>
    client.collect(match, 1, timeoutMs).then((found) => found[0]!);
  let person: AttachedClient | undefined;
  const notifiers: Notifier[] = [];
  const attempts: AttemptRecord[] = [];

  beforeAll(async () => {
    t = await startTmux({ session: 'main', width: 160, height: 40 });
    const source = createTmuxSource({ socketName: t.socketName });
    server = await startServer({ source });
    await source.ready();
    const attention = server.monitor.attention!;
    notifiers.push(
      new Notifier(attention, source, {
        urls: [`${receiver.url}/now`],
        secret: SECRET,
        on: ['waiting'],
        link: (pane) => `http://dash.example/#pane=${pane.location.pane_id}`,
        record: (a) => attempts.push(a),
      }),
      // Only when still unattended after a while: an ack before that means no POST.
      new Notifier(attention, source, { urls: [`${receiver.url}/later`], on: ['waiting'], afterMs: 1500 }),
    );
    client = await TestClient.authed(server.url, await server.token());
    await client.request({ action: 'subscribe', filters: { types: ['agent.*', 'session.*'] } });
  });

  afterAll(async () => {
    for (const n of notifiers) n.close();
    await person?.detach();
    await client?.close();
    await server?.close();
    await t?.kill();
  });

  async function agent(name: string, states: string): Promise<string> {
    return (await t.tmux('new-window', '-d', '-t', 'main', '-n', name, '-P', '-F', '#{pane_id}', `bash ${RUN} claude ${states}`)).trim();
  }
  const statusOf = (pane: string, status: string) => (m: Message) =>
    m.type === 'agent.status' && m.pane_id === pane && m.data.status === status;
  const bodies = (path: string) => receiver.of(path).map((r) => JSON.parse(r.body) as Record<string, any>);

  it('posts one signed notice when a pane goes waiting', async () => {
    const pane = await agent('asks', 'busy waiting');
    await seen(statusOf(pane, 'busy'), 8000);
    await t.tmux('send-keys', '-t', pane, 'Enter');
    const [post] = await receiver.waitFor('/now', 1);
    const expected = createHmac('sha256', SECRET).update(post!.body).digest('hex');
    expect(post!.headers['x-tmux-monitor-signature']).toBe(`sha256=${expected}`);
    expect(Number(post!.headers['x-tmux-monitor-timestamp'])).toBeGreaterThan(1_700_000_000);
    expect(post!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(post!.body);
    expect(body).toMatchObject({
      type: 'agent.attention',
      attention: 'waiting',
      session: 'main',
      window_name: 'asks',
      pane_id: pane,
      agent_type: 'claude',
      status: 'waiting',
      url: `http://dash.example/#pane=${pane}`,
    });
    expect(body.reason).not.toBe('');
    expect(body.screen).toContain('Do you want');
    expect(body.text).toMatch(/claude in (\S+\/)?main:/);
    await notifiers[0]!.idle();
    expect(attempts.filter((a) => a.pane_id === pane)).toMatchObject([{ outcome: 'delivered', status: 200, attempt: 1 }]);
    expect(JSON.stringify(attempts)).not.toContain('/now');
  });

  it('none for a pane that was acknowledged before --notify-after', async () => {
    const acked = await agent('acked', 'busy waiting');
    await seen(statusOf(acked, 'busy'), 8000);
    await t.tmux('send-keys', '-t', acked, 'Enter');
    await seen((m) => m.type === 'agent.attention' && m.pane_id === acked && m.data.attention === 'waiting', 8000);
    expect(await client.request({ action: 'ack', target: { session: 'main', window: 'acked' } })).toMatchObject({ cleared: 1 });
    // The first pane (still waiting, unacknowledged) is posted after the delay; the acked one never.
    const [later] = await receiver.waitFor('/later', 1);
    expect(JSON.parse(later!.body).window_name).toBe('asks');
    expect(bodies('/later').some((b) => b.pane_id === acked)).toBe(false);
    // And /now got it at once, before the ack: one per pane.
    expect(bodies('/now').filter((b) => b.pane_id === acked)).toHaveLength(1);
  });

  it('none for a pane a person is looking at in tmux', async () => {
    const watched = await agent('watched', 'busy waiting');
    const other = await agent('unwatched', 'busy waiting');
    await seen(statusOf(watched, 'busy'), 8000);
    await seen(statusOf(other, 'busy'), 8000);
    await t.tmux('select-window', '-t', watched);
    person = attachClient(t.socketName, 'main');
    await seen((m) => m.type === 'session.attached', 8000);
    const before = receiver.of('/now').length;
    await t.tmux('send-keys', '-t', watched, 'Enter');
    await seen(statusOf(watched, 'waiting'), 8000);
    await t.tmux('send-keys', '-t', other, 'Enter');
    await receiver.waitFor('/now', before + 1);
    await notifiers[0]!.idle();
    const posted = bodies('/now').slice(before);
    expect(posted.map((b) => b.pane_id)).toEqual([other]);
  });
});

describe('delivery', () => {
  let server: TestServer<MemorySource>;
  let client: TestClient;
  /** The first message matching (from the start: waits on two panes may arrive in either order). */
  const seen = (match: (m: Message) => boolean, timeoutMs = 8000): Promise<Message> =>
    client.collect(match, 1, timeoutMs).then((found) => found[0]!);
  let paneCounter = 0;

  beforeAll(async () => {
    server = await startServer();
    client = await TestClient.authed(server.url, await server.token());
    await client.request({ action: 'subscribe', filters: { types: ['agent.attention'] } });
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  /** A new pane whose agent goes waiting (pushed through the memory source). */
  function waiting(): string {
    const pane = `%${100 + ++paneCounter}`;
    const status = (s: AgentStatus, p: AgentStatus) => ({
      type: 'agent.status' as const,
      session: 'work',
      window: 1,
      pane: paneCounter,
      pane_id: pane,
      data: { status: s, previous: p, agent_type: 'codex', reason: 'approval' },
    });
    server.source.push(status('busy', 'ready'), status('waiting', 'busy'));
    return pane;
  }

  it('a 500 gets retries with growing gaps; a 400 gets none', async () => {
    receiver.answer('/fail', 500);
    receiver.answer('/bad', 400);
    const attempts: AttemptRecord[] = [];
    const notifier = new Notifier(server.monitor.attention!, server.source, {
      urls: [`${receiver.url}/fail`, `${receiver.url}/bad`],
      lines: 0,
      delivery: { baseDelayMs: 100, maxAttempts: 4 },
      record: (a) => attempts.push(a),
    });
    try {
      waiting();
      const posts = await receiver.waitFor('/fail', 4);
      await notifier.idle();
      const fail = attempts.filter(
        (a) =>
          a.endpoint === notifier.endpoints[0]!.label &&
          a.format === 'json' &&
          a.delivery === attempts.find((x) => x.outcome === 'gave_up')?.delivery,
      );
      expect(fail.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'gave_up']);
      const planned = fail.slice(0, 3).map((a) => a.retry_in_ms!);
      expect(planned[1]).toBeGreaterThan(planned[0]!);
      expect(planned[2]).toBeGreaterThan(planned[1]!);
      // Each retry came no sooner than its planned gap.
      for (let i = 1; i < 4; i++) expect(posts[i]!.at - posts[i - 1]!.at).toBeGreaterThanOrEqual(planned[i - 1]! - 5);
      // The 400: one attempt, recorded as failed; a later notice is the next request there.
      expect(receiver.of('/bad')).toHaveLength(1);
      expect(attempts.filter((a) => a.outcome === 'failed')).toMatchObject([{ status: 400, attempt: 1 }]);
      waiting();
      await receiver.waitFor('/bad', 2);
      const bad = receiver.of('/bad').map((r) => r.headers['x-tmux-monitor-delivery']);
      expect(new Set(bad).size).toBe(2);
    } finally {
      notifier.close();
    }
  });

  it('a dead receiver delays neither events to clients nor another receiver', async () => {
    receiver.answer('/dead', 'hang');
    const notifier = new Notifier(server.monitor.attention!, server.source, {
      urls: [`${receiver.url}/dead`, `${receiver.url}/alive`],
      lines: 0,
      delivery: { timeoutMs: 60_000 },
    });
    try {
      const first = waiting();
      await seen((m) => m.type === 'agent.attention' && m.pane_id === first, 3000);
      await receiver.waitFor('/dead', 1);
      const second = waiting();
      // The dead endpoint still holds its first request; clients and the other endpoint go on.
      await seen((m) => m.type === 'agent.attention' && m.pane_id === second, 3000);
      const alive = await receiver.waitFor('/alive', 2, 3000);
      expect(alive.map((r) => JSON.parse(r.body).pane_id)).toEqual([first, second]);
      expect(receiver.of('/dead')).toHaveLength(1);
    } finally {
      notifier.close();
    }
  });
});

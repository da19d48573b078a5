/**
 * Attention against a real tmux (private socket) and fake agent screens: agent.attention
 * events, snapshots, ack, a person looking at the pane in tmux (a real client in a pty),
 * and tmux's own status line options.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import { GLOBAL_OPTION, TmuxStatusLine, WINDOW_OPTION } from '../../src/tmux/status/status-line.ts';
import { attachClient, type AttachedClient } from '../helpers/attach.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient, type Message } from '../helpers/ws-client.ts';

const RUN = fileURLToPath(new URL('../fixtures/agents/run.sh', import.meta.url));

/** The first message matching (from the start: waits on two panes may arrive in either order). */
const seen = (match: (m: Message) => boolean, timeoutMs = 8000): Promise<Message> =>
  client.collect(match, 1, timeoutMs).then((found) => found[0]!);

let t: TestTmux;
let server: TestServer<TmuxSource>;
let client: TestClient;
let statusLine: TmuxStatusLine;
let person: AttachedClient | undefined;

beforeAll(async () => {
  t = await startTmux({ session: 'main', width: 160, height: 40 });
  const source = createTmuxSource({ socketName: t.socketName });
  // done-after 0: any busy → ready is "done", so the test need not wait 30 s.
  server = await startServer({ source, attention: { doneAfterMs: 0 } });
  await source.ready();
  statusLine = new TmuxStatusLine(server.monitor.attention!, { socketName: t.socketName, batchMs: 10 });
  client = await TestClient.authed(server.url, await server.token({ role: 'viewer' }));
  await client.request({ action: 'subscribe', filters: { types: ['agent.*', 'session.*', 'window.*'] } });
});

afterAll(async () => {
  await client?.close();
  await person?.detach();
  await statusLine?.close();
  await server?.close();
  await t?.kill();
});

async function agent(name: string, states: string): Promise<string> {
  return (await t.tmux('new-window', '-d', '-t', 'main', '-n', name, '-P', '-F', '#{pane_id}', `bash ${RUN} claude ${states}`)).trim();
}

const statusOf = (pane: string, status: string) => (m: Message) =>
  m.type === 'agent.status' && m.pane_id === pane && m.data.status === status;
const attentionOf = (pane: string, attention: string | null) => (m: Message) =>
  m.type === 'agent.attention' && m.pane_id === pane && m.data.attention === attention;

/** Waits until a tmux option reads `want` (tmux has no event for this; read it until it does). */
async function optionBecomes(args: string[], want: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await t.tmux('show-options', '-v', ...args).catch(() => '')).replace(/\n$/, '');
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tmux option ${args.join(' ')} is "${last}", not "${want}"`);
}

async function snapshotPane(pane: string): Promise<Record<string, any>> {
  const reply = await client.request({ action: 'snapshot', target: { session: 'main', pane } });
  const data = reply.type === 'snapshot.acknowledged' ? await client.next('snapshot.data') : reply;
  return data.data.sessions[0].windows[0].panes[0];
}

describe('attention', () => {
  it('a waiting agent needs a person: event, snapshot, tmux status line; ack clears it', async () => {
    const pane = await agent('wait', 'busy waiting ready');
    await seen(statusOf(pane, 'busy'), 8000);
    await t.tmux('send-keys', '-t', pane, 'Enter');
    await seen(statusOf(pane, 'waiting'), 8000);
    const event = await seen(attentionOf(pane, 'waiting'));
    expect(event).toMatchObject({ session: 'main', window_name: 'wait', data: { attention: 'waiting', previous: null } });
    expect(Number.isNaN(Date.parse(event.data.since))).toBe(false);

    const snap = await snapshotPane(pane);
    expect(snap.attention).toBe('waiting');
    expect(snap.attention_since).toBe(event.data.since);

    await optionBecomes(['-g', GLOBAL_OPTION], '1 waiting');
    await optionBecomes(['-w', '-t', pane, WINDOW_OPTION], 'claude waiting');

    const ack = await client.request({ action: 'ack', target: { session: 'main', window: 'wait' } });
    expect(ack).toMatchObject({ type: 'ack.result', success: true, cleared: 1 });
    // The event goes out before the reply.
    const [cleared] = await client.collect(attentionOf(pane, null), 1);
    expect(cleared!.data.previous).toBe('waiting');
    expect((await snapshotPane(pane)).attention).toBe(null);
    await optionBecomes(['-g', GLOBAL_OPTION], '');
    await optionBecomes(['-w', '-t', pane, WINDOW_OPTION], '');
  });

  it('error and done; the status moving on clears them; the status line counts both', async () => {
    const failing = await agent('fail', 'error');
    await seen(attentionOf(failing, 'error'), 8000);
    const finishing = await agent('finish', 'busy ready');
    await seen(statusOf(finishing, 'busy'), 8000);
    await t.tmux('send-keys', '-t', finishing, 'Enter');
    const done = await seen(attentionOf(finishing, 'done'), 8000);
    expect(done.data.previous).toBe(null);
    await optionBecomes(['-g', GLOBAL_OPTION], '1 error · 1 done');
    // An ack by pane id clears one.
    const ack = await client.request({ action: 'ack', target: { session: 'main', window: 'fail', pane: failing } });
    expect(ack).toMatchObject({ type: 'ack.result', cleared: 1 });
    await optionBecomes(['-g', GLOBAL_OPTION], '1 done');
    const again = await client.request({ action: 'ack', target: { session: 'main', window: 'finish' } });
    expect(again).toMatchObject({ type: 'ack.result', cleared: 1 });
    await optionBecomes(['-g', GLOBAL_OPTION], '');
  });

  it('ack: bad or unknown targets get clear errors', async () => {
    expect(await client.request({ action: 'ack', target: { session: 'nope', window: 0 } })).toMatchObject({
      type: 'error',
      code: 'NOT_FOUND',
    });
    expect(await client.request({ action: 'ack', target: { window: 0 } })).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    expect(await client.request({ action: 'ack' })).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    expect(await client.request({ action: 'ack', target: { session: 'main', window: 0 } })).toMatchObject({
      type: 'ack.result',
      cleared: 0,
    });
  });

  it('a pane a person looks at in tmux gets no attention, and looking clears it', async () => {
    const watched = await agent('watched', 'busy waiting');
    const other = await agent('other', 'busy waiting');
    await seen(statusOf(watched, 'busy'), 8000);
    await seen(statusOf(other, 'busy'), 8000);
    await t.tmux('select-window', '-t', watched);
    person = attachClient(t.socketName, 'main');
    await seen((m) => m.type === 'session.attached' && m.session === 'main', 8000);

    await t.tmux('send-keys', '-t', watched, 'Enter');
    await seen(statusOf(watched, 'waiting'), 8000);
    await t.tmux('send-keys', '-t', other, 'Enter');
    await seen(attentionOf(other, 'waiting'), 8000);
    expect(client.messages.some(attentionOf(watched, 'waiting'))).toBe(false);

    // The person switches to the other window: it no longer needs them.
    await t.tmux('select-window', '-t', other);
    await seen(attentionOf(other, null), 8000);
    await person.detach();
    person = undefined;
    await seen((m) => m.type === 'session.detached' && m.session === 'main', 8000);
  });

  it('snapshot escapes: true keeps the colours (SGR) of the screen; v1 snapshots stay plain', async () => {
    const pane = (await t.tmux('new-window', '-d', '-t', 'main', '-n', 'colour', '-P', '-F', '#{pane_id}')).trim();
    await t.tmux('send-keys', '-t', pane, "printf '\\033[31mred\\033[0m plain\\n'", 'Enter');
    let content = '';
    for (let i = 0; i < 100 && !/^red plain/m.test(content); i++) {
      const reply = await client.request({ action: 'snapshot', target: { session: 'main', pane }, lines: 20 });
      content = (await client.next('snapshot.data')).data.sessions[0].windows[0].panes[0].content;
      expect(reply.type).toBe('snapshot.acknowledged');
    }
    expect(content).toMatch(/^red plain/m);
    expect(content).not.toContain('\x1b');
    await client.request({ action: 'snapshot', target: { session: 'main', pane }, lines: 20, escapes: true });
    const coloured = (await client.next('snapshot.data')).data.sessions[0].windows[0].panes[0].content;
    expect(coloured).toMatch(/\x1b\[31mred\x1b\[(0|39)m plain/);
    expect((await client.request({ action: 'snapshot', escapes: 'yes' })).code).toBe('INVALID_MESSAGE');
  });

  it('removes the status line options at exit', async () => {
    const pane = await agent('last', 'error');
    await seen(attentionOf(pane, 'error'), 8000);
    await optionBecomes(['-g', GLOBAL_OPTION], '1 error');
    await statusLine.close();
    expect(await t.tmux('show-options', '-gq', GLOBAL_OPTION)).toBe('');
    expect(await t.tmux('show-options', '-wq', '-t', pane, WINDOW_OPTION)).toBe('');
    expect(await t.tmux('show-options', '-g')).not.toContain('tmux_monitor');
  });
});

/**
 * Many hosts on NATS JetStream (docs/scaling.md), with real parts only: a nats-server
 * on a random loopback port with a temporary store, two private tmux servers as two
 * hosts each with its `tmux-monitor agent`, and two `serve --nats` instances. The
 * runtimes are mixed on purpose (agent B on Deno, instance 2 on Bun): the NATS client
 * must work in the single-file bundle on all three.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/signer.ts';
import { TARGETS, type RuntimeTarget } from '../helpers/runtimes.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient, type Message } from '../helpers/ws-client.ts';
import { run, secretFile, startNats, type NatsServer, type Proc } from './support.ts';

describe('NATS JetStream bus', () => {
  let nats: NatsServer;
  let tmuxA: TestTmux;
  let tmuxB: TestTmux;
  let secret: ReturnType<typeof secretFile>;
  const stream = 'TM_TEST_' + Math.random().toString(36).slice(2, 8).toUpperCase();
  const agents: Record<string, Proc> = {};
  const serves: { proc: Proc; url: string }[] = [];
  const clients: TestClient[] = [];

  const natsFlags = () => ['--nats', nats.url, '--nats-stream', stream];
  const startAgent = async (host: 'A' | 'B', target: RuntimeTarget = TARGETS.nodeBundle) => {
    const tmux = host === 'A' ? tmuxA : tmuxB;
    const proc = run(target, ['agent', ...natsFlags(), '--host', `host-${host}`, '-L', tmux.socketName, '--quiet']);
    await proc.waitFor(/publishing to/);
    agents[host] = proc;
    return proc;
  };
  const startServe = async (target: RuntimeTarget = TARGETS.nodeBundle) => {
    const proc = run(target, ['serve', ...natsFlags(), '--port', '0', '--secret-file', secret.path, '--quiet']);
    const [, url] = await proc.waitFor(/listening on (\S+)\n/);
    const entry = { proc, url: url! };
    serves.push(entry);
    return entry;
  };
  const token = (claims: { hosts?: string[] } = {}) =>
    signToken(secret.secret, { sub: 'bus-test', role: 'admin', ttlSec: 3600, ...claims });
  const client = async (url: string, claims: { hosts?: string[] } = {}) => {
    const c = await TestClient.authed(url, await token(claims));
    clients.push(c);
    return c;
  };
  const say = (tmux: TestTmux, text: string) => tmux.tmux('send-keys', '-t', 'main', `echo ${text}`, 'Enter');
  // The printed line, not the echo of the typed command.
  const outputWith = (text: string) => (m: Message) => m.type === 'pane.output' && String(m.data.content).split(/\r?\n/).includes(text);
  const untilOutput = (c: TestClient, text: string, timeoutMs = 15_000) =>
    // From the first message on, not from a cursor: two hosts' lines may arrive in either order.
    c
      .collect(outputWith(text), 1, timeoutMs)
      .then((found) => found[0]!)
      .catch((error: Error) => {
        const seen = c.messages.filter((m) => m.type === 'pane.output').map((m) => `${m.seq} ${m.host} ${JSON.stringify(m.data.content)}`);
        throw new Error(`no line "${text}": ${error.message.slice(0, 80)}\n${seen.join('\n')}`);
      });

  beforeAll(async () => {
    secret = secretFile();
    nats = await startNats();
    [tmuxA, tmuxB] = await Promise.all([startTmux(), startTmux()]);
    await startAgent('A');
    await startAgent('B', TARGETS.denoBundle);
    await startServe();
    await startServe(TARGETS.bunBundle);
  });

  afterAll(async () => {
    if (process.env.BUS_TEST_DEBUG) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        process.env.BUS_TEST_DEBUG,
        [
          ...Object.entries(agents).map(([k, p]) => `== agent ${k}\n${p.output()}`),
          ...serves.map((s, i) => `== serve ${i}\n${s.proc.output()}`),
        ].join('\n'),
      );
    }
    for (const c of clients) await c.close().catch(() => {});
    await Promise.all([...Object.values(agents), ...serves.map((s) => s.proc)].map((p) => p.kill()));
    await nats?.stop();
    await Promise.all([tmuxA?.kill(), tmuxB?.kill()]);
    secret?.remove();
  });

  it('a client on instance 1 sees both hosts with one increasing seq', async () => {
    const c = await client(serves[0]!.url);
    await c.request({ action: 'subscribe', filters: { types: ['pane.output'] } });
    await say(tmuxA, 'from-a-1');
    await untilOutput(c, 'from-a-1');
    await say(tmuxB, 'from-b-1');
    await untilOutput(c, 'from-b-1');
    await say(tmuxA, 'from-a-2');
    await untilOutput(c, 'from-a-2');
    const events = c.messages.filter((m) => m.type === 'pane.output');
    expect(new Set(events.map((e) => e.host))).toEqual(new Set(['host-A', 'host-B']));
    const seqs = events.map((e) => e.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const established = c.messages.find((m) => m.type === 'connection.established')!;
    expect(established.epoch).toMatch(new RegExp(`^${stream}:`));

    const snap = await c.request({ action: 'snapshot' });
    expect(snap.type).toBe('snapshot.acknowledged');
    const data = await c.next('snapshot.data');
    expect(data.data.sessions.map((s: Message) => s.host).sort()).toEqual(['host-A', 'host-B']);
    // `main` is on both hosts: naming it alone is ambiguous.
    const ambiguous = await c.request({ action: 'snapshot', target: { session: 'main' } });
    expect(ambiguous).toMatchObject({ type: 'error', code: 'AMBIGUOUS_TARGET' });
  });

  it('a snapshot whose content is larger than a NATS message comes back cut to fit', async () => {
    // 2000 lines of box drawing: 380,000 characters, 1.1 MB in UTF-8 (NATS: 1 MiB at most).
    const big = (
      await tmuxA.tmux(
        'new-window',
        '-d',
        '-P',
        '-F',
        '#{pane_id}',
        '-n',
        'big',
        `python3 -c "print(('\u2500' * 190 + '\\n') * 2000 + 'END-OF-BIG')"; sleep 100000`,
      )
    ).trim();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(await tmuxA.tmux('capture-pane', '-p', '-t', big)).includes('END-OF-BIG')) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const c = await client(serves[0]!.url);
    await c.request({ action: 'snapshot', target: { host: 'host-A', session: 'main', window: 'big' }, lines: 2000 }, 15_000);
    const data = await c.next('snapshot.data', 15_000);
    const pane = data.data.sessions[0].windows[0].panes[0];
    expect(pane.content_truncated).toBe(true);
    expect(pane.content).toMatch(/END-OF-BIG$/);
    expect(new TextEncoder().encode(pane.content).length).toBeLessThan(1024 * 1024);
    expect(pane.content.length).toBeGreaterThan(100_000);
    await tmuxA.tmux('kill-window', '-t', big);
  });

  it('a command from instance 2 reaches a pane on host B', async () => {
    const watcher = await client(serves[0]!.url);
    await watcher.request({ action: 'subscribe', filters: { types: ['pane.output'], hosts: ['host-B'] } });
    const c = await client(serves[1]!.url);
    const reply = await c.request(
      { action: 'command', target: { host: 'host-B', session: 'main', window: 0 }, command: 'send', text: 'echo typed-via-2' },
      15_000,
    );
    expect(reply).toMatchObject({ type: 'command.result', success: true });
    const event = await untilOutput(watcher, 'typed-via-2');
    expect(event.host).toBe('host-B');
    expect(await tmuxB.tmux('capture-pane', '-p', '-t', 'main')).toContain('typed-via-2');
    expect(await tmuxA.tmux('capture-pane', '-p', '-t', 'main')).not.toContain('typed-via-2');
  });

  it('a client of a killed instance resumes on the other with no gap and no duplicate', async () => {
    const first = await client(serves[0]!.url);
    await first.request({ action: 'subscribe', filters: { types: ['pane.output'] }, since: 0 });
    await first.next('replay.complete');
    await say(tmuxA, 'before-kill');
    await untilOutput(first, 'before-kill');
    const epoch = first.messages.find((m) => m.type === 'connection.established')!.epoch;
    const seen = first.messages.filter((m) => m.type === 'pane.output');
    const last = seen.at(-1)!.seq as number;
    await serves[0]!.proc.kill('SIGKILL');
    await first.closed;
    // Events keep coming while the client has no server.
    await say(tmuxB, 'while-away-b');
    await say(tmuxA, 'while-away-a');
    const watcher = await client(serves[1]!.url);
    await watcher.request({ action: 'subscribe', filters: { types: ['pane.output'] } });
    await say(tmuxA, 'after-kill');
    await untilOutput(watcher, 'after-kill');

    const second = await client(serves[1]!.url);
    const confirmed = await second.request({ action: 'subscribe', filters: { types: ['pane.output'] }, since: last, epoch });
    const done = await second.next('replay.complete');
    expect(done.complete).toBe(true);
    const replayed = second.messages.filter((m) => m.type === 'pane.output');
    expect(replayed[0]!.seq).toBeGreaterThan(last);
    // Exactly what the other instance's live client saw after `last`, in the same order.
    const everything = await client(serves[1]!.url);
    await everything.request({ action: 'subscribe', filters: { types: ['pane.output'] }, since: 0 });
    await everything.next('replay.complete');
    const all = everything.messages.filter((m) => m.type === 'pane.output' && m.seq <= confirmed.seq);
    expect(replayed.map((m) => m.seq)).toEqual(all.filter((m) => m.seq > last).map((m) => m.seq));
    expect(all.filter((m) => m.seq <= last).map((m) => m.seq)).toEqual(seen.map((m) => m.seq));
    expect(replayed.some((m) => String(m.data.content).includes('while-away-b'))).toBe(true);

    // A restarted instance speaks the same epoch and holds the same events.
    const restarted = await startServe();
    const again = await client(restarted.url);
    expect(again.messages.find((m) => m.type === 'connection.established')!.epoch).toBe(epoch);
    await again.request({ action: 'subscribe', filters: { types: ['pane.output'] }, since: last, epoch });
    expect((await again.next('replay.complete')).complete).toBe(true);
    const fromRestarted = again.messages.filter((m) => m.type === 'pane.output');
    expect(fromRestarted.slice(0, replayed.length).map((m) => m.seq)).toEqual(replayed.map((m) => m.seq));
  });

  it('a killed agent is lost within 10 s, and connected when it returns', async () => {
    const url = serves.at(-1)!.url;
    const c = await client(url);
    await c.request({ action: 'subscribe', filters: { types: ['system.host'] } });
    // A second agent with the same host name is refused.
    const duplicate = run(TARGETS.nodeBundle, ['agent', ...natsFlags(), '--host', 'host-A', '-L', tmuxA.socketName]);
    expect(await duplicate.exited).toBe(1);
    expect(duplicate.output()).toMatch(/host "host-A" already has an agent/);
    // So is a server asking for other history limits than the stream has: never changed silently.
    const mismatched = run(TARGETS.nodeBundle, [
      'serve',
      ...natsFlags(),
      '--port',
      '0',
      '--secret-file',
      secret.path,
      '--history-size',
      '7',
    ]);
    expect(await mismatched.exited).toBe(1);
    expect(mismatched.output()).toMatch(
      new RegExp(`stream ${stream} exists with other settings: it holds 1000 messages, not --history-size 7`),
    );

    await agents.A!.kill('SIGKILL');
    const lost = await c.next((m) => m.type === 'system.host' && m.data.state === 'lost', 10_000);
    expect(lost).toMatchObject({ host: 'host-A', data: { host: 'host-A', state: 'lost' } });
    const refused = await c.request({ action: 'command', target: { host: 'host-A', session: 'main', window: 0 }, command: 'interrupt' });
    expect(refused).toMatchObject({ type: 'error', code: 'HOST_UNAVAILABLE' });
    // Meanwhile its panes are there, their agents unknown.
    expect((await c.request({ action: 'snapshot' })).type).toBe('snapshot.acknowledged');
    const lostData = (await c.next('snapshot.data')).data;
    const whileLost = lostData.sessions.filter((s: Message) => s.host === 'host-A');
    expect(whileLost.length, JSON.stringify(lostData).slice(0, 600)).toBeGreaterThan(0);
    const panes = whileLost.flatMap((s: Message) => s.windows.flatMap((w: Message) => w.panes));
    expect(panes.length).toBeGreaterThan(0);
    expect(panes.every((p: Message) => p.agent.status === 'unknown')).toBe(true);

    await startAgent('A');
    const back = await c.next((m) => m.type === 'system.host' && m.data.state === 'connected', 10_000);
    expect(back).toMatchObject({ host: 'host-A', data: { state: 'connected' } });
    // Each instance saw the loss; the stream holds it once.
    const other = await client(serves[1]!.url);
    await other.request({ action: 'subscribe', filters: { types: ['system.host'] }, since: lost.seq - 1 });
    await other.next('replay.complete');
    expect(other.messages.filter((m) => m.type === 'system.host' && m.data.state === 'lost')).toHaveLength(1);
  });

  it('nats-server restarted mid-stream: nothing in the stream is lost and everything reconnects', async () => {
    const url = serves[1]!.url;
    const before = await client(url);
    await before.request({ action: 'subscribe', filters: { types: ['pane.output'] }, since: 0 });
    const replay = await before.next('replay.complete');
    await say(tmuxA, 'before-restart');
    const marker = await untilOutput(before, 'before-restart');
    const held = before.messages.filter((m) => m.type === 'pane.output' && m.seq <= marker.seq).map((m) => m.seq);
    expect(held.length).toBeGreaterThan(0);
    expect(replay.to).toBeLessThan(marker.seq);

    // This server's own link to the bus: each subscribed client is told when it drops and
    // when it is back (a notice outside the sequence: the stream cannot carry it).
    const watching = await client(url);
    await watching.request({ action: 'subscribe', filters: { types: ['system.source'] } });
    await nats.restart();
    const lost = await watching.next((m) => m.type === 'system.source' && m.data.state === 'disconnected' && m.seq === undefined, 20_000);
    expect(lost.data.message).toMatch(/NATS/);
    await watching.next((m) => m.type === 'system.source' && m.data.state === 'connected' && m.seq === undefined, 20_000);
    // Typed while the agents may still be reconnecting: their queues carry it over.
    await say(tmuxA, 'during-restart-a');
    await say(tmuxB, 'during-restart-b');
    await untilOutput(before, 'during-restart-a', 20_000);
    await untilOutput(before, 'during-restart-b', 20_000);
    // A command goes through again: servers and agents are back on the bus.
    const reply = await before.request(
      { action: 'command', target: { host: 'host-B', session: 'main', window: 0 }, command: 'send', text: 'echo after-restart' },
      15_000,
    );
    expect(reply).toMatchObject({ type: 'command.result', success: true });
    await untilOutput(before, 'after-restart', 20_000);

    // Everything held before the restart is still in the stream, with the same seqs.
    const after = await client(serves.at(-1)!.url);
    await after.request({ action: 'subscribe', filters: { types: ['pane.output'] }, since: 0 });
    expect((await after.next('replay.complete')).complete).toBe(true);
    const replayed = after.messages.filter((m) => m.type === 'pane.output').map((m) => m.seq);
    expect(replayed.slice(0, held.length)).toEqual(held);
    const live = before.messages.filter((m) => m.type === 'pane.output').map((m) => m.seq);
    expect(new Set(live).size).toBe(live.length);

    // An agent whose queue overflows while NATS is away counts what it dropped and says so.
    const small = run(TARGETS.nodeBundle, [
      'agent',
      ...natsFlags(),
      '--host',
      'host-Q',
      '-L',
      tmuxB.socketName,
      '--nats-queue',
      '2',
      '--quiet',
    ]);
    agents.Q = small;
    await small.waitFor(/publishing to/);
    const watcher = await client(url);
    await watcher.request({ action: 'subscribe', filters: { types: ['system.source'], hosts: ['host-Q'] } });
    await nats.halt();
    await small.waitFor(/bus disconnected/);
    for (let i = 0; i < 4; i++) await tmuxB.tmux('new-window', '-d', '-n', `extra-${i}`);
    await nats.resume();
    const report = await watcher.next((m) => m.type === 'system.source' && m.data.dropped > 0, 20_000);
    expect(report).toMatchObject({ host: 'host-Q', data: { state: 'connected' } });
    const metricsUrl = url.replace(/^ws/, 'http').replace(/\/monitor$/, '/metrics');
    const dropped = new RegExp(`tmux_monitor_bus_agent_dropped_total\\{host="host-Q"\\} ${report.data.dropped}`);
    await expect.poll(async () => (await fetch(metricsUrl)).text(), { timeout: 10_000 }).toMatch(dropped);
    await small.kill();
  });

  it('a token scoped to one host sees nothing of the other', async () => {
    const scoped = await client(serves[1]!.url, { hosts: ['host-B'] });
    expect(scoped.messages.find((m) => m.type === 'auth.response')!.hosts).toEqual(['host-B']);
    await scoped.request({ action: 'subscribe', filters: {}, since: 0 });
    await scoped.next('replay.complete');
    await say(tmuxA, 'secret-of-a');
    await say(tmuxB, 'visible-on-b');
    await untilOutput(scoped, 'visible-on-b');
    const snap = await scoped.request({ action: 'snapshot' });
    expect(snap.type).toBe('snapshot.acknowledged');
    const data = await scoped.next('snapshot.data');
    expect(data.data.sessions.map((s: Message) => s.host)).toEqual(['host-B']);
    expect((await scoped.request({ action: 'snapshot', target: { host: 'host-A', session: 'main' } })).code).toBe('NOT_FOUND');
    expect(
      (await scoped.request({ action: 'command', target: { host: 'host-A', session: 'main', window: 0 }, command: 'interrupt' })).code,
    ).toBe('NOT_FOUND');
    // A full-view client got host A's line, so it went through the stream; the scoped one never saw host A.
    const full = await client(serves[1]!.url);
    await full.request({ action: 'subscribe', filters: { types: ['pane.output'] }, since: 0 });
    await untilOutput(full, 'secret-of-a');
    expect(scoped.messages.some((m) => m.host === 'host-A' || m.data?.host === 'host-A')).toBe(false);
    expect(scoped.messages.some((m) => JSON.stringify(m).includes('secret-of-a'))).toBe(false);
  });
});

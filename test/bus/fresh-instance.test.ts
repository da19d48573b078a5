/**
 * A `serve --nats` instance that has just started is still reading the stream. A client
 * that resumes on it at once must get everything the stream held as replay, not part of
 * it as replay and the rest as "live" after `replay.complete`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/signer.ts';
import { TARGETS } from '../helpers/runtimes.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient, type Message } from '../helpers/ws-client.ts';
import { run, secretFile, startNats, type NatsServer, type Proc } from './support.ts';

const LINES = 900;

describe('a freshly started bus instance', () => {
  let nats: NatsServer;
  let tmux: TestTmux;
  let secret: ReturnType<typeof secretFile>;
  const stream = 'TM_FRESH_' + Math.random().toString(36).slice(2, 8).toUpperCase();
  const procs: Proc[] = [];
  const clients: TestClient[] = [];
  const natsFlags = () => ['--nats', nats.url, '--nats-stream', stream];
  const startServe = async () => {
    const proc = run(TARGETS.nodeBundle, ['serve', ...natsFlags(), '--port', '0', '--secret-file', secret.path, '--quiet']);
    procs.push(proc);
    const [, url] = await proc.waitFor(/listening on (\S+)\n/);
    return url!;
  };
  const client = async (url: string) => {
    const c = await TestClient.authed(url, await signToken(secret.secret, { sub: 'fresh', role: 'admin', ttlSec: 600 }));
    clients.push(c);
    return c;
  };
  const hasLine = (text: string) => (m: Message) => m.type === 'pane.output' && String(m.data.content).split(/\r?\n/).includes(text);

  beforeAll(async () => {
    secret = secretFile();
    nats = await startNats();
    tmux = await startTmux();
    const agent = run(TARGETS.nodeBundle, ['agent', ...natsFlags(), '--host', 'host-F', '-L', tmux.socketName, '--quiet']);
    procs.push(agent);
    await agent.waitFor(/publishing to/);
  });

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await Promise.all(procs.map((p) => p.kill()));
    await nats?.stop();
    await tmux?.kill();
    secret?.remove();
  });

  it('replays all the stream held before it answers replay.complete', async () => {
    // Fill the stream with a few hundred events, one line each.
    const first = await client(await startServe());
    await first.request({ action: 'subscribe', filters: { types: ['pane.output'] } });
    await tmux.tmux('send-keys', '-t', 'main', `for i in $(seq 1 ${LINES}); do echo line-$i; sleep 0.002; done; echo all-done`, 'Enter');
    const [done] = await first.collect(hasLine('all-done'), 1, 30_000);

    // A new instance, and a client resuming on it as soon as it listens.
    const late = await client(await startServe());
    await late.request({ action: 'subscribe', filters: { types: ['pane.output'] }, since: 0 });
    const complete = await late.next('replay.complete', 10_000);
    expect(complete.complete).toBe(true);
    const replayed = late.messages.slice(0, late.messages.indexOf(complete)).filter((m) => m.type === 'pane.output');
    expect(replayed.at(-1)!.seq).toBeGreaterThanOrEqual(done!.seq as number);
    expect(replayed.some(hasLine('all-done'))).toBe(true);
  });
});

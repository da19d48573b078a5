/**
 * The first implementation's clients work unchanged (issue 12): a Python client written
 * as its example client and CLI monitor are — `types` with its `pane.command`, no path in
 * the URL, one `recv()` per request, errors ignored, `unsubscribe` by `filters` — runs
 * with /usr/bin/python3 against the bundle (`node dist/tmux-monitor.mjs serve`) watching a
 * private tmux server, and receives events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/signer.ts';
import { startServeProcess, type ServeProcess } from '../helpers/subprocess-server.ts';
import { TARGETS } from '../helpers/runtimes.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';

const CLIENT = fileURLToPath(new URL('./first_client.py', import.meta.url));
type Line = { step: string; message: Record<string, any> };

/** Runs the client; lines arrive as it prints them. `done()` closes its stdin (it then unsubscribes and exits). */
function runClient(url: string, token: string, mode: 'example' | 'monitor') {
  const child: ChildProcess = spawn('/usr/bin/python3', [CLIENT, url, token, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let err = '';
  const waiters: (() => void)[] = [];
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const until = async (test: (line: Line) => boolean, what: string, timeoutMs = 20_000): Promise<Line> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(test);
      if (found) return found;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${what}; got ${JSON.stringify(lines).slice(-600)}\n${err}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { lines, until, done: () => child.stdin!.end(), exited, stderr: () => err, kill: () => child.kill('SIGKILL') };
}

describe("the first implementation's Python clients, against the bundle", () => {
  let t: TestTmux;
  let server: ServeProcess;
  const secret = `compat-${crypto.randomUUID()}`;

  beforeAll(async () => {
    t = await startTmux({ session: 'compat' });
    server = await startServeProcess(TARGETS.nodeBundle, {
      env: { TMUX_MONITOR_SECRET: secret },
      flags: ['--source', 'tmux', '-L', t.socketName],
    });
  });
  afterAll(async () => {
    await server?.stop('SIGTERM');
    await t?.kill();
  });

  it('example client: subscribes with pane.command, receives output and structure events, unsubscribes by filters', async () => {
    // The first implementation's permission words: `read` (and `write`).
    const token = await signToken(secret, { sub: 'first-impl', role: 'operator', permissions: ['read', 'write'], ttlSec: 600 });
    const origin = server.url.replace(/\/monitor$/, '');
    const client = runClient(origin, token, 'example');
    try {
      expect((await client.until((l) => l.step === 'welcome', 'welcome')).message.type).toBe('connection.established');
      const auth = await client.until((l) => l.step === 'auth', 'auth reply');
      expect(auth.message).toMatchObject({ type: 'auth.response', success: true });
      expect(auth.message.permissions).toEqual(expect.arrayContaining(['read', 'subscribe', 'output', 'write']));
      const subscribed = await client.until((l) => l.step === 'subscribed', 'subscribe reply');
      expect(subscribed.message).toMatchObject({ type: 'subscription.confirmed', unknown_types: [] });
      expect(subscribed.message.filters.types).toContain('pane.command');

      await t.tmux('send-keys', '-t', 'compat', 'echo compat-$((40+2))', 'Enter');
      await t.tmux('new-window', '-t', 'compat', '-n', 'second');
      const output = await client.until(
        (l) => l.step === 'event' && l.message.type === 'pane.output' && String(l.message.data.content).includes('compat-42'),
        'pane.output',
      );
      expect(output.message).toMatchObject({ session: 'compat', window: 0, pane: 0 });
      expect(typeof output.message.data.preview).toBe('string');
      await client.until(
        (l) => l.step === 'event' && l.message.type === 'window.created' && l.message.session === 'compat',
        'window.created',
      );
      expect(client.lines.filter((l) => l.step === 'event').every((l) => subscribed.message.filters.types.includes(l.message.type))).toBe(
        true,
      );

      client.done();
      const unsubscribed = await client.until((l) => l.step === 'unsubscribed', 'unsubscribe reply');
      expect(unsubscribed.message).toMatchObject({ type: 'unsubscribe.confirmed', subscriptions: [] });
      expect(await client.exited).toBe(0);
    } finally {
      client.kill();
    }
  });

  it('CLI monitor: a made-up type is accepted and listed as unknown; events still flow', async () => {
    const token = await signToken(secret, { sub: 'first-impl-cli', role: 'viewer', permissions: ['read'], ttlSec: 600 });
    const client = runClient(server.url.replace(/\/monitor$/, ''), token, 'monitor');
    try {
      const subscribed = await client.until((l) => l.step === 'subscribed', 'subscribe reply');
      expect(subscribed.message).toMatchObject({ type: 'subscription.confirmed', unknown_types: ['test.event'] });
      await t.tmux('send-keys', '-t', 'compat:0', 'echo cli-$((6*7))', 'Enter');
      await client.until(
        (l) => l.step === 'event' && l.message.type === 'pane.output' && String(l.message.data.content).includes('cli-42'),
        'pane.output',
      );
      client.done();
      expect((await client.until((l) => l.step === 'unsubscribed', 'unsubscribe reply')).message.type).toBe('unsubscribe.confirmed');
      expect(await client.exited).toBe(0);
    } finally {
      client.kill();
    }
  });
});

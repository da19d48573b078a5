/** `tmux-monitor tail` with a fake CliIO, against a real server over real WebSockets. */
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { tailCommand } from '../../src/cli/tail.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { agentStatus, restartableServer, waitUntil } from './js-support.ts';

interface FakeIO {
  io: CliIO;
  out: () => string[];
  err: () => string;
  abort: () => void;
}

function fakeIO(env: Record<string, string | undefined> = {}, isTTY = false): FakeIO {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  return {
    io: {
      env,
      isTTY,
      signal: controller.signal,
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    },
    out: () =>
      out
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
    err: () => err.join(''),
    abort: () => controller.abort(),
  };
}

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

/** Runs tail until `lines` event lines are out, then stops it with the signal. */
async function tailUntil(fake: FakeIO, argv: string[], lines: number, push: () => void): Promise<number> {
  const exit = tailCommand(argv, fake.io);
  await waitUntil(() => fake.err().includes('subscribed to'), 5000, 'the subscription');
  push();
  await waitUntil(() => fake.out().length >= lines, 5000, `${lines} lines`);
  fake.abort();
  return exit;
}

const output = {
  type: 'pane.output',
  session: 'ai-chat',
  window: 0,
  pane: 1,
  pane_id: '%2',
  data: { content: 'npm test\nFAIL one\n', preview: 'npm test\nFAIL one', severity: 'error', bytes: 18 },
} as const;

describe('tmux-monitor tail', () => {
  it('prints one line per event: time, type, target and a summary, with filters', async () => {
    const fake = fakeIO({ TMUX_MONITOR_TOKEN: await server.token() });
    const code = await tailUntil(fake, ['--url', server.url, '--types', 'agent.status,pane.*', '--sessions', 'ai-chat'], 3, () =>
      server.source.push(
        agentStatus(1),
        { type: 'session.created', session: 'ai-chat', data: { session: 'ai-chat', windows: 1, path: '/w' } },
        agentStatus(2, 'elsewhere'),
        output,
        { type: 'pane.error', session: 'ai-chat', window: 0, pane: 1, pane_id: '%2', data: { preview: 'FAIL one', line: 'FAIL one' } },
      ),
    );
    expect(code).toBe(0);
    const lines = fake.out();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}agent\.status {4} {2}ai-chat:0\.0 +ready → busy \(claude\)$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}pane\.output {5} {2}ai-chat:0\.1 +error 18 bytes: npm test ⏎ FAIL one$/);
    expect(lines[2]).toMatch(/ {2}pane\.error .*FAIL one$/);
    expect(lines.join('\n')).not.toContain('\x1b[');
    expect(fake.err()).toContain(`connected to ${server.url}`);
    expect(fake.err()).toContain('subscribed to types agent.status,pane.*; sessions ai-chat');
  });

  it('colours the line when stdout is a terminal (unless NO_COLOR)', async () => {
    const token = await server.token();
    const tty = fakeIO({ TMUX_MONITOR_TOKEN: token }, true);
    await tailUntil(tty, ['--url', server.url], 1, () => server.source.push(agentStatus(1)));
    expect(tty.out()[0]).toContain('\x1b[35magent.status');
    expect(tty.out()[0]).toContain('\x1b[33mbusy\x1b[0m');

    const plain = fakeIO({ TMUX_MONITOR_TOKEN: token, NO_COLOR: '1' }, true);
    await tailUntil(plain, ['--url', server.url], 1, () => server.source.push(agentStatus(2)));
    expect(plain.out()[0]).not.toContain('\x1b[');
  });

  it('--json prints each event as one JSON line, exactly as received', async () => {
    const fake = fakeIO();
    const code = await tailUntil(fake, ['--url', server.url, '--token', await server.token(), '--json', '--types=agent.status'], 2, () =>
      server.source.push(agentStatus(1), output, agentStatus(2)),
    );
    expect(code).toBe(0);
    const events = fake.out().map((line) => JSON.parse(line));
    expect(events.map((e) => e.type)).toEqual(['agent.status', 'agent.status']);
    expect(events[0]).toMatchObject({ session: 'ai-chat', window: 0, pane: 0, pane_id: '%1', data: { status: 'busy', reason: 'n=1' } });
    expect(events[1].seq).toBe(events[0].seq + 2);
    expect(typeof events[0].timestamp).toBe('string');
  });

  it('reconnects after a server restart and says so on stderr', async () => {
    const s = await restartableServer();
    try {
      const fake = fakeIO({ TMUX_MONITOR_TOKEN: await s.token() });
      const exit = tailCommand(['--url', s.url, '--json'], fake.io);
      await waitUntil(() => fake.err().includes('subscribed to all events'), 5000, 'the subscription');
      s.source.push(agentStatus(1));
      await waitUntil(() => fake.out().length === 1, 5000, 'the first event');
      await s.stop();
      await s.start();
      await waitUntil(() => fake.err().includes('the server restarted'), 10_000, 'the gap notice');
      s.source.push(agentStatus(2));
      await waitUntil(() => fake.out().length === 2, 5000, 'the event after the restart');
      fake.abort();
      expect(await exit).toBe(0);
      expect(fake.err()).toMatch(/connection lost \(1001 server shutting down\); reconnecting in \d+\.\d s \(attempt 1\)/);
      expect(fake.err()).toContain('reconnected to');
      expect(JSON.parse(fake.out()[1]!)).toMatchObject({ seq: 1, data: { reason: 'n=2' } });
    } finally {
      await s.stop();
    }
  });

  it('stops with exit 1 when the server refuses the token (no reconnect)', async () => {
    const fake = fakeIO();
    const code = await tailCommand(['--url', server.url, '--token', 'not-a-jwt'], fake.io);
    expect(code).toBe(1);
    expect(fake.err()).toMatch(/stopped: AUTH_FAILED: .*\(close code 4401\)/);
    expect(fake.err()).not.toContain('reconnecting');
  });

  it('takes the URL without a path (old clients), adding /monitor', async () => {
    const fake = fakeIO({ TMUX_MONITOR_TOKEN: await server.token() });
    await tailUntil(fake, ['--url', server.origin], 1, () => server.source.push(agentStatus(1)));
    expect(fake.err()).toContain(`connected to ${server.url}`);
  });
});

describe('tmux-monitor tail arguments', () => {
  it.each([
    [['--bogus'], '--bogus'],
    [['--url'], '--url'],
    [['--url', 'ftp://example'], '--url'],
    [['--types', 'agent.status,nope'], '--types'],
    [['--token='], '--token'],
    [['--json=yes'], '--json'],
    [['stray'], 'stray'],
  ])('%j → exit 2 and a one-line error naming %s', async (argv, flag) => {
    const fake = fakeIO();
    expect(await tailCommand(argv, fake.io)).toBe(2);
    const err = fake.err();
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toContain(flag);
    expect(fake.out()).toEqual([]);
  });

  it('--help prints usage with every flag and the default URL', async () => {
    const fake = fakeIO();
    expect(await tailCommand(['--help'], fake.io)).toBe(0);
    const usage = fake.out().join('\n');
    for (const flag of ['--url', '--token', '--types', '--sessions', '--json', 'ws://127.0.0.1:8765/monitor', 'TMUX_MONITOR_TOKEN']) {
      expect(usage).toContain(flag);
    }
  });
});

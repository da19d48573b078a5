/**
 * The same client source runs unchanged on Bun and Deno (their own global WebSocket),
 * against the real server: subscribe, an event, a snapshot, close.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { agentStatus, waitUntil } from './js-support.ts';

const root = resolve(import.meta.dirname, '../..');
let server: TestServer;
let dir: string;
beforeEach(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), 'tmux-monitor-client-'));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A script that uses the client as an application would, printing what it saw. */
function probe(url: string, token: string): string {
  return `
import { TmuxMonitor } from ${JSON.stringify(join(root, 'src/client/index.ts'))};
const monitor = new TmuxMonitor(${JSON.stringify(url)}, { token: async () => ${JSON.stringify(token)} });
const events = monitor.events();
await monitor.subscribe({ types: ['agent.*'] });
console.log('READY');
const { value } = await events.next();
const snapshot = await monitor.snapshot();
console.log(JSON.stringify({ type: value.type, reason: value.data.reason, seq: value.seq, sessions: snapshot.sessions.length, role: monitor.auth.role, url: monitor.url }));
await monitor.close();
`;
}

async function runProbe(command: string, args: (file: string) => string[]): Promise<Record<string, unknown>> {
  const file = join(dir, 'probe.ts');
  // No path in the URL: the client adds /monitor.
  await writeFile(file, probe(server.origin, await server.token({ role: 'viewer' })));
  const child = spawn(command, args(file), { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    await waitUntil(() => stdout.includes('READY') || child.exitCode !== null, 20_000, `${command} to subscribe`);
    expect(stderr).toBe('');
    server.source.push(agentStatus(1));
    expect(await exited).toBe(0);
  } finally {
    child.kill();
  }
  return JSON.parse(stdout.split('\n').find((line) => line.startsWith('{')) ?? 'null');
}

const expected = { type: 'agent.status', reason: 'n=1', seq: 1, sessions: 0, role: 'viewer' };

it('runs on Bun', async () => {
  const seen = await runProbe(join(root, 'node_modules/.bin/bun'), (file) => ['run', file]);
  expect(seen).toEqual({ ...expected, url: server.url });
});

it('runs on Deno', async () => {
  const seen = await runProbe(join(root, 'node_modules/.bin/deno'), (file) => ['run', '--allow-net=127.0.0.1', '--no-prompt', file]);
  expect(seen).toEqual({ ...expected, url: server.url });
});

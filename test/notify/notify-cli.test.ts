/** `serve --notify …` and `notify-test` as a user runs them (the built bundle, a local receiver). */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';

const BUNDLE = 'dist/tmux-monitor.mjs';
const dir = mkdtempSync(join(tmpdir(), 'tmux-monitor-notify-'));
const secretFile = join(dir, 'notify-secret');
writeFileSync(secretFile, 'cli-webhook-secret\n', { mode: 0o600 });
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TMUX_MONITOR_SECRET: 's' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    if (stdin !== undefined) child.stdin.end(stdin);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tmux-monitor notify-test', () => {
  it('posts a signed sample and says what the endpoint answered', async () => {
    const result = await cli(['notify-test', `${receiver.url}/sample`, '--notify-secret-file', secretFile]);
    expect(result.stdout).toContain('HTTP 200');
    expect(result.code).toBe(0);
    const [post] = receiver.of('/sample');
    expect(post!.headers['x-tmux-monitor-signature']).toBe(
      `sha256=${createHmac('sha256', 'cli-webhook-secret').update(post!.body).digest('hex')}`,
    );
    expect(JSON.parse(post!.body)).toMatchObject({ attention: 'waiting', agent_type: 'claude', session: 'example' });
  });

  it('ntfy and slack formats; a refusing endpoint exits 1; bad flags exit 2', async () => {
    expect((await cli(['notify-test', `ntfy:${receiver.url}/topic`])).code).toBe(0);
    const [ntfy] = receiver.of('/topic');
    expect(ntfy!.headers).toMatchObject({ title: 'claude: waiting', priority: 'high', tags: 'question' });
    expect(ntfy!.body).toContain('is waiting for you');
    expect((await cli(['notify-test', `${receiver.url}/services/slack`, '--notify-format', 'slack'])).code).toBe(0);
    expect(JSON.parse(receiver.of('/services/slack')[0]!.body).text).toContain('is waiting for you');
    receiver.answer('/refuse', 403);
    const refused = await cli(['notify-test', `${receiver.url}/refuse`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 403');
    expect(refused.stderr).not.toContain('/refuse');
    expect((await cli(['notify-test', 'ftp://example/x'])).code).toBe(2);
    expect((await cli(['serve', '--notify', 'not a url'])).code).toBe(2);
    expect((await cli(['serve', '--notify-on', 'waiting,sleeping'])).code).toBe(2);
  });
});

describe('tmux-monitor serve --notify', () => {
  it('notifies from any source (stdin here) and writes each attempt to the audit log', async () => {
    const audit = join(dir, 'audit.jsonl');
    const status = (s: string, p: string) =>
      JSON.stringify({
        type: 'agent.status',
        session: 'ai',
        window: 0,
        pane: 0,
        pane_id: '%9',
        data: { status: s, previous: p, agent_type: 'codex', reason: 'approval' },
      });
    const child = spawn(
      process.execPath,
      [
        BUNDLE,
        'serve',
        '--port',
        '0',
        '--no-auth',
        '--source',
        'stdin',
        '--audit-log',
        audit,
        '--notify',
        `${receiver.url}/serve`,
        '--notify-on',
        'error',
        '--notify-secret-file',
        secretFile,
        '--quiet',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    try {
      child.stdin.write(`${status('busy', 'ready')}\n${status('waiting', 'busy')}\n${status('error', 'waiting')}\n`);
      const [post] = await receiver.waitFor('/serve', 1).catch((e) => {
        throw new Error(`${(e as Error).message}; serve said: ${output}; audit: ${readFileSync(audit, 'utf8')}`);
      });
      expect(JSON.parse(post!.body)).toMatchObject({
        attention: 'error',
        previous: 'waiting',
        session: 'ai',
        pane_id: '%9',
        agent_type: 'codex',
      });
      expect(JSON.parse(post!.body).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#session=ai&pane=%259(&host=[^&]+)?$/);
      const deadline = Date.now() + 5000;
      let records: Record<string, unknown>[] = [];
      while (Date.now() < deadline && !records.some((r) => r.event === 'notify')) {
        records = readFileSync(audit, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(records.find((r) => r.event === 'notify')).toMatchObject({ outcome: 'delivered', status: 200, attempt: 1, format: 'json' });
      expect(JSON.stringify(records)).not.toContain('/serve');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

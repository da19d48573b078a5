/**
 * The `tmux-monitor` program as a user runs it: the single-file bundle under Node.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { testDir } from '../helpers/temp-dir.ts';
import { TestClient } from '../helpers/ws-client.ts';

const BUNDLE = 'dist/tmux-monitor.mjs';
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BUNDLE, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `serve` and resolves with its URL once it prints the listening line. */
async function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BUNDLE, 'serve', '--port', '0', '--source', 'none', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stdout}`)), 15_000);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (\S+)/.exec(stdout);
      if (match && stdout.includes('\n', stdout.indexOf(match[1]!))) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stdout}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  /** Resolves once stdout contains `text`. */
  const printed = (text: string) =>
    new Promise<string>((resolve) => {
      const check = () => {
        if (!stdout.includes(text)) return;
        child.stdout!.off('data', check);
        resolve(stdout);
      };
      child.stdout!.on('data', check);
      check();
    });
  return { child, url, exited, output: () => stdout, printed };
}

describe('tmux-monitor token', () => {
  const env = { TMUX_MONITOR_SECRET: 'cli-secret' };

  it('prints one signed JWT and nothing else', async () => {
    const { code, stdout, stderr } = run(['token', '--role', 'operator', '--sub', 'bot', '--sessions', 'a,b*', '--ttl', '2h'], env);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { payload } = await jose.jwtVerify(stdout.trim(), new TextEncoder().encode('cli-secret'));
    expect(payload).toMatchObject({ sub: 'bot', role: 'operator', sessions: ['a', 'b*'] });
    expect(payload.exp! - payload.iat!).toBe(7200);
  });

  it('refuses bad arguments with one line naming the flag and exit 2', () => {
    for (const args of [['--role', 'root'], ['--ttl', 'soon'], ['--bogus'], ['--permissions', 'fly'], ['--role']]) {
      const { code, stderr, stdout } = run(['token', ...args], env);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(args[0]!.startsWith('--bogus') ? '--bogus' : args[0]);
    }
  });

  it('creates the secret file with mode 0600 and shares it with serve', async () => {
    const config = testDir('tm-config-');
    const clean = { TMUX_MONITOR_SECRET: '', XDG_CONFIG_HOME: config };
    const { stdout } = run(['token', '--role', 'admin'], clean);
    const secretFile = join(config, 'tmux-monitor', 'secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, 'tmux-monitor')).mode & 0o777).toBe(0o700);
    const server = await serve([], clean);
    const client = await TestClient.authed(server.url, stdout.trim());
    expect(client.messages.find((m) => m.type === 'auth.response')?.role).toBe('admin');
    await client.close();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(readFileSync(secretFile, 'utf8').trim().length).toBeGreaterThan(30);
  });
});

describe('tmux-monitor serve', () => {
  it('has --help on every command', () => {
    for (const command of [['serve'], ['token'], ['tail'], []]) {
      const { code, stdout } = run([...command, '--help']);
      expect(code, command.join(' ')).toBe(0);
      expect(stdout).toMatch(/Usage: tmux-monitor/);
    }
  });

  it('refuses bad flags with exit 2', () => {
    for (const args of [['--port', 'x'], ['--port', '70000'], ['--frobnicate'], ['--source', 'carrier-pigeon'], ['--tls-cert', 'a.pem']]) {
      const { code, stderr } = run(['serve', ...args], { TMUX_MONITOR_SECRET: 's' });
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
    const unknown = run(['launch']);
    expect(unknown.code).toBe(2);
  });

  it('refuses a non-loopback address without auth', () => {
    const { code, stderr } = run(['serve', '--no-auth', '--host', '0.0.0.0'], { TMUX_MONITOR_SECRET: 's' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/non-loopback/);
  });

  it('prints where it listens, an admin token and the dashboard URL; exits 0 on SIGTERM after closing clients with 1001', async () => {
    const server = await serve([], { TMUX_MONITOR_SECRET: 'serve-secret' });
    const output = await server.printed('dashboard:');
    const token = /admin token \(24 h\): (\S+)/.exec(output)?.[1];
    expect(token).toBeTruthy();
    expect(output).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=/);
    const client = await TestClient.authed(server.url, token!);
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect((await client.closed).code).toBe(1001);
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('writes an audit log of JSON lines with mode 0600 and never the token', async () => {
    const dir = testDir('tm-audit-');
    const auditLog = join(dir, 'audit.jsonl');
    const server = await serve(['--audit-log', auditLog, '--quiet'], { TMUX_MONITOR_SECRET: 'audit-secret' });
    const token = run(['token', '--role', 'operator', '--sub', 'auditor'], { TMUX_MONITOR_SECRET: 'audit-secret' }).stdout.trim();
    const client = await TestClient.authed(server.url, token);
    await client.request({ action: 'subscribe', filters: { types: ['agent.status'] } });
    await client.request({ action: 'command', target: { session: 'nope', window: 0 }, command: 'interrupt' });
    const bad = await TestClient.connect(server.url);
    bad.send({ action: 'auth', token: token.slice(0, -4) + 'AAAA' });
    await bad.closed;
    await client.close();
    server.child.kill('SIGTERM');
    await server.exited;
    expect(statSync(auditLog).mode & 0o777).toBe(0o600);
    const text = readFileSync(auditLog, 'utf8');
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toContain(token.split('.')[1]);
    const events = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const kinds = events.map((e) => e.event);
    for (const kind of ['connect', 'auth.success', 'subscribe', 'rejected', 'auth.failure', 'disconnect']) expect(kinds).toContain(kind);
    expect(events.find((e) => e.event === 'auth.success')).toMatchObject({ subject: 'auditor', role: 'operator', remote: '127.0.0.1' });
    // A command that reached nothing is a refusal, with what was asked and from where.
    expect(events.find((e) => e.event === 'rejected' && e.action === 'command')).toMatchObject({
      code: 'NOT_FOUND',
      target: { session: 'nope', window: 0 },
      subject: 'auditor',
      remote: '127.0.0.1',
    });
  });
});

/**
 * The CLI under Node, Bun and Deno: the bundle (what users run) and, for Bun and Deno,
 * the TypeScript source. Every command (serve, token, tail) and its errors behave the
 * same on each; the peer address reaches the audit log on each; `serve --source stdin`
 * skips bad lines without stopping.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as jose from 'jose';
import { signToken } from '../../src/auth/signer.ts';
import { BUNDLE_TARGETS, TARGETS, type RuntimeTarget } from '../helpers/runtimes.ts';
import { startServeProcess } from '../helpers/subprocess-server.ts';
import { testDir } from '../helpers/temp-dir.ts';
import { TestClient } from '../helpers/ws-client.ts';

const secret = 'cli-runtime-secret';

function run(target: RuntimeTarget, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(target.command, [...target.args, ...args], {
    env: { ...process.env, ...target.env, TMUX_MONITOR_SECRET: secret, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const busy = (session: string) => ({
  type: 'agent.status',
  session,
  window: 0,
  pane: 0,
  pane_id: '%0',
  data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 'test' },
});

for (const target of [...BUNDLE_TARGETS, TARGETS.bunSource, TARGETS.denoSource]) {
  describe(`cli on ${target.label}`, () => {
    it('prints help with exit 0 and refuses bad flags with one line and exit 2', () => {
      for (const command of [[], ['serve'], ['token'], ['tail']]) {
        const { code, stdout } = run(target, [...command, '--help']);
        expect(code, `${command.join(' ')} --help`).toBe(0);
        expect(stdout).toMatch(/^Usage: tmux-monitor/);
      }
      for (const args of [
        ['serve', '--frobnicate'],
        ['serve', '--port', 'x'],
        ['serve', '--source', 'carrier-pigeon'],
        ['token', '--role', 'root'],
        ['tail', '--bogus'],
        ['launch'],
      ]) {
        const { code, stdout, stderr } = run(target, args);
        expect(code, args.join(' ')).toBe(2);
        expect(stdout).toBe('');
        expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      }
    });

    it('token prints one JWT signed with the secret', async () => {
      const { code, stdout, stderr } = run(target, ['token', '--role', 'operator', '--sub', 'bot', '--ttl', '2h']);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      const { payload } = await jose.jwtVerify(stdout.trim(), new TextEncoder().encode(secret));
      expect(payload).toMatchObject({ sub: 'bot', role: 'operator' });
    });
  });
}

for (const target of BUNDLE_TARGETS) {
  describe(`serve and tail on ${target.label}`, () => {
    it('tail prints the events of a running server', async () => {
      const server = await startServeProcess(target, { env: { TMUX_MONITOR_SECRET: secret } });
      const tail = spawn(target.command, [...target.args, 'tail', '--url', server.url, '--json', '--types', 'agent.*'], {
        env: { ...process.env, ...target.env, TMUX_MONITOR_TOKEN: await signToken(secret, { sub: 'tail', role: 'viewer', ttlSec: 600 }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let out = '';
        tail.stdout.setEncoding('utf8');
        const printed = new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`tail printed: ${out}`)), 15_000);
          tail.stdout.on('data', (chunk: string) => {
            out += chunk;
            if (out.includes('\n')) {
              clearTimeout(timer);
              resolve(out.split('\n')[0]!);
            }
          });
        });
        // tail subscribes once connected; keep events coming until one is printed.
        const feeder = setInterval(() => void server.write(busy('tailed')), 100);
        const line = await printed.finally(() => clearInterval(feeder));
        expect(JSON.parse(line)).toMatchObject({ type: 'agent.status', session: 'tailed' });
      } finally {
        tail.kill('SIGKILL');
        await server.stop();
      }
    });

    it('logs the peer address in the audit log', async () => {
      const auditLog = join(testDir('tm-audit-'), 'audit.jsonl');
      const server = await startServeProcess(target, { env: { TMUX_MONITOR_SECRET: secret }, flags: ['--audit-log', auditLog] });
      const client = await TestClient.authed(server.url, await signToken(secret, { sub: 'auditor', role: 'viewer', ttlSec: 600 }));
      await client.close();
      expect((await server.stop()).code).toBe(0);
      const events = readFileSync(auditLog, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(events.find((e) => e.event === 'auth.success')).toMatchObject({ subject: 'auditor', remote: '127.0.0.1' });
    });

    it('--source stdin skips bad lines with a note on stderr, sets sessions, and says when input ends', async () => {
      const server = await startServeProcess(target, { env: { TMUX_MONITOR_SECRET: secret } });
      try {
        const client = await TestClient.authed(server.url, await signToken(secret, { sub: 'feed', role: 'admin', ttlSec: 600 }));
        await client.request({ action: 'subscribe', filters: {} });
        server.child.stdin!.write('not json\n[1]\n{"type":"no.such","data":{}}\n{"type":"agent.status"}\n\n');
        await server.write(busy('fed'), {
          $sessions: [{ name: 'fed', id: '$1', attached: 0, created: new Date(0).toISOString(), windows: [] }],
        });
        expect((await client.next('agent.status')).session).toBe('fed');
        await client.request({ action: 'snapshot' });
        expect((await client.next('snapshot.data')).data.sessions.map((s: { name: string }) => s.name)).toEqual(['fed']);
        expect(server.stderr()).toMatch(/stdin line 1 ignored: not valid JSON/);
        expect(server.stderr()).toMatch(/stdin line 4 ignored: "data" must be an object/);
        server.child.stdin!.end();
        expect((await client.next('system.source')).data).toMatchObject({ state: 'disconnected' });
        expect(server.child.exitCode).toBeNull();
      } finally {
        expect((await server.stop()).code).toBe(0);
      }
    });
  });
}

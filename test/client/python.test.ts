/**
 * Runs the Python client's own tests (python/tests, stdlib unittest) against the real
 * server: a private tmux server and `node dist/tmux-monitor.mjs serve` watching it.
 *
 * Contract with python/tests/support.py: the Python run gets these environment variables.
 *   TMUX_MONITOR_URL     the server's URL as it printed it (ws://127.0.0.1:PORT/monitor)
 *   TMUX_MONITOR_SECRET  its HS256 secret: the tests mint their own JWTs (stdlib hmac)
 *   TMUX_SOCKET          socket name (tmux -L) of the private tmux server it watches; the
 *                        tests create and kill their own sessions there
 *   TMUX_MONITOR_BIN     absolute path of dist/tmux-monitor.mjs: restart and small-history
 *                        tests start servers of their own (on the same tmux server)
 *   TMUX_MONITOR_NODE    the node binary running this file
 * Interpreters: $TMUX_MONITOR_PYTHONS (colon-separated), default /usr/bin/python3 (Debian
 * 12's Python 3.11 with python3-websockets 10.4). The suite must exit 0; its output is
 * shown when it does not.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killTmuxServer } from '../helpers/tmux.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// TMUX_MONITOR_BIN may point at another build of the server.
const BUNDLE = process.env.TMUX_MONITOR_BIN ?? resolve(ROOT, 'dist', 'tmux-monitor.mjs');
const PYTHONS = (process.env.TMUX_MONITOR_PYTHONS ?? '/usr/bin/python3').split(':').filter(Boolean);
const SUITE_TIMEOUT_MS = 150_000;

const secret = randomBytes(24).toString('hex');
const tmuxSocket = `test-py-${randomBytes(4).toString('hex')}`;
let server: ChildProcess | undefined;
let url = '';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', tmuxSocket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** Spawns the bundle's `serve` and resolves with the URL from its first stdout line. */
function startServer(): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const child = spawn(process.execPath, [BUNDLE, 'serve', '--port', '0', '-L', tmuxSocket], {
      cwd: ROOT,
      env: { ...process.env, TMUX_MONITOR_SECRET: secret },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (ws:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

interface RunResult {
  code: number | null;
  output: string;
}

function runPython(python: string): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(python, ['-m', 'unittest', 'discover', '-v', '-s', 'python/tests', '-t', 'python'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TMUX_MONITOR_URL: url,
        TMUX_MONITOR_SECRET: secret,
        TMUX_SOCKET: tmuxSocket,
        TMUX_MONITOR_BIN: BUNDLE,
        TMUX_MONITOR_NODE: process.execPath,
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${SUITE_TIMEOUT_MS} ms]`;
      child.kill('SIGKILL');
    }, SUITE_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      done({ code: null, output: `${output}\n${String(error)}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe('python client (python/tests)', () => {
  beforeAll(async () => {
    // The global setup builds the bundle; build here too when run on its own.
    if (!existsSync(BUNDLE)) execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
    // A session that keeps the tmux server up; `cat`, not a shell whose rc files may be slow.
    tmux('new-session', '-d', '-s', 'keepalive', 'cat');
    url = await startServer();
  });

  afterAll(async () => {
    // The server first (its control clients detach), then tmux: a tmux 3.3a server killed
    // while a monitor's clients were detaching was once left waiting for them for good.
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await killTmuxServer(tmuxSocket);
  });

  for (const python of PYTHONS) {
    it(
      `passes its unittest suite under ${python}`,
      async () => {
        const { code, output } = await runPython(python);
        if (code !== 0) console.error(output);
        expect(code, output.slice(-8000)).toBe(0);
        expect(output).toMatch(/\nOK/);
      },
      SUITE_TIMEOUT_MS + 10_000,
    );
  }
});

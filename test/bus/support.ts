/**
 * Real parts for the bus tests: a nats-server with JetStream on a random loopback port
 * and a temporary store, and `tmux-monitor agent` / `serve --nats` child processes. Every
 * process started here is killed when the test process exits, whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeTarget } from '../helpers/runtimes.ts';
import { stopChild } from '../helpers/stop-child.ts';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export const NATS_SERVER =
  [process.env.NATS_SERVER, '/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find(
    (path) => path !== undefined && existsSync(path),
  ) ?? 'nats-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (or rejects at the deadline). */
async function waitForPort(port: number, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error(`nats-server exited before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
    // Not a timing assumption: the next connect attempt, after the refused one.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  /** Stops (SIGTERM, so the store is flushed) and starts again on the same port and store. */
  restart(): Promise<void>;
  /** Stops, keeping the store; `resume()` starts it again. */
  halt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNats(): Promise<NatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'tm-nats-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const proc = spawn(NATS_SERVER, ['-js', '-sd', storeDir, '-p', String(port), '-a', '127.0.0.1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    live.add(proc);
    let done = false;
    exited = new Promise((resolve) =>
      proc.once('exit', () => {
        done = true;
        live.delete(proc);
        resolve();
      }),
    );
    child = proc;
    await waitForPort(port, 15_000, () => done);
  };
  const stop = async () => {
    if (child) await stopChild(child, exited);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    restart: async () => {
      await stop();
      await start();
    },
    halt: stop,
    resume: start,
    stop: async () => {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Waits until stdout+stderr match. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs the CLI under a runtime target with `args`. */
export function run(target: RuntimeTarget, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(target.command, [...target.args, ...args], {
    env: { ...process.env, ...target.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let waiters: (() => void)[] = [];
  const wake = () => {
    const list = waiters;
    waiters = [];
    for (const w of list) w();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => ((out += chunk), wake()));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => ((out += chunk), wake()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      wake();
      resolve(code ?? signal ?? -1);
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    output: () => out,
    exited,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (gone) throw new Error(`process exited before printing ${pattern}; output:\n${out}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${pattern}; output:\n${out}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async kill(signal = 'SIGTERM') {
      return stopChild(child, exited, signal);
    },
  };
}

/** A secret file (mode 0600) that every serve instance shares. */
export function secretFile(): { path: string; secret: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tm-secret-'));
  const path = join(dir, 'secret');
  const secret = 'bus-test-' + crypto.randomUUID();
  writeFileSync(path, secret + '\n', { mode: 0o600 });
  return { path, secret, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

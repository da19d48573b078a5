/** Node implementation (node:child_process), loaded only under Node. */
import type { ChildProcess, ProcessApi, RunResult, SpawnOptions } from './types.ts';
import { childEnv } from './env.ts';

type NodeCp = typeof import('node:child_process');

export async function nodeProcessApi(): Promise<ProcessApi> {
  // A dynamic import, so that a bundle loaded by Bun or Deno never asks for it.
  const cp: NodeCp = await import('node:child_process');
  return {
    spawn: (cmd, args, options) => spawnNode(cp, cmd, args, options),
    run: (cmd, args, options) => runNode(cp, cmd, args, options),
  };
}

function spawnNode(cp: NodeCp, cmd: string, args: string[], options?: SpawnOptions): ChildProcess {
  const child = cp.spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'], env: childEnv(process.env, options) });
  let closed = false;
  child.stdin.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('close', (code) => resolve(code));
  });
  return {
    pid: child.pid,
    stdout: child.stdout as AsyncIterable<Uint8Array>,
    write(data) {
      if (closed || child.stdin.destroyed) return;
      child.stdin.write(data);
    },
    closeStdin() {
      if (closed) return;
      closed = true;
      child.stdin.end();
    },
    exited,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

function runNode(
  cp: NodeCp,
  cmd: string,
  args: string[],
  options?: SpawnOptions & { input?: string; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = cp.spawn(cmd, args, {
      stdio: [options?.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: childEnv(process.env, options),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const timer = options?.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ code: -1, stdout: '', stderr: String(e.message) });
    });
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (options?.input !== undefined) {
      child.stdin!.on('error', () => {});
      child.stdin!.end(options.input);
    }
  });
}

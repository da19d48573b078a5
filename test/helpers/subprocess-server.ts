/**
 * Runs `tmux-monitor serve` as a child process under a runtime target, with events fed on
 * its standard input (`--source stdin`), and reads its listening line. Every child is
 * killed when the test process exits, whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { RuntimeTarget } from './runtimes.ts';
import { stopChild } from './stop-child.ts';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ServeProcess {
  child: ChildProcess;
  /** The URL of the listening line: ws(s)://127.0.0.1:PORT{base}/monitor */
  url: string;
  port: number;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  /** Writes one JSON line per value to stdin, respecting back-pressure. */
  write(...values: unknown[]): Promise<void>;
  /** Sends a signal and resolves with how the process ended and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | string; ms: number }>;
}

export interface ServeProcessOptions {
  env?: Record<string, string>;
  /** Extra flags after `serve` (default source: stdin). */
  flags?: string[];
  startTimeoutMs?: number;
}

export async function startServeProcess(target: RuntimeTarget, options: ServeProcessOptions = {}): Promise<ServeProcess> {
  const flags = options.flags ?? [];
  const args = [...target.args, 'serve', '--port', '0', ...(flags.includes('--source') ? [] : ['--source', 'stdin']), '--quiet', ...flags];
  const child = spawn(target.command, args, {
    env: { ...process.env, ...target.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // The child may exit (or be killed) while we still write to it.
  child.stdin!.on('error', () => {});
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );

  const url = await new Promise<string>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 20_000;
    const timer = setTimeout(() => fail(`did not print its listening line within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${target.label} serve ${why}\nstdout: ${out}\nstderr: ${err}`));
    };
    const check = () => {
      const match = /^tmux-monitor listening on (\S+)\n/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(match[1]!);
    };
    child.stdout!.on('data', check);
    void exited.then((code) => fail(`exited (${code}) before listening`));
  });

  return {
    child,
    url,
    port: Number(new URL(url).port),
    stdout: () => out,
    stderr: () => err,
    exited,
    write(...values) {
      const text = values.map((v) => JSON.stringify(v) + '\n').join('');
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.stdin!.write(text, () => resolve());
      });
    },
    async stop(signal = 'SIGTERM') {
      const started = Date.now();
      const code = await stopChild(child, exited, signal);
      return { code, ms: Date.now() - started };
    },
  };
}

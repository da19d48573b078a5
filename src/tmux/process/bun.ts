/** Bun implementation (Bun.spawn), loaded only under Bun. */
import type { ChildProcess, ProcessApi, RunResult, SpawnOptions } from './types.ts';
import { childEnv } from './env.ts';

/** The part of Bun's API we use (Bun's own types are not installed). */
interface BunSubprocess {
  pid: number;
  stdin: { write(data: Uint8Array | string): number; flush(): unknown; end(): unknown };
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  exited: Promise<number>;
  exitCode: number | null;
  signalCode: string | null;
  kill(signal?: string): void;
}
interface BunGlobal {
  spawn(cmd: string[], options: Record<string, unknown>): BunSubprocess;
  env: Record<string, string | undefined>;
}

export function bunProcessApi(): ProcessApi {
  const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  return {
    spawn: (cmd, args, options) => spawnBun(bun, cmd, args, options),
    run: (cmd, args, options) => runBun(bun, cmd, args, options),
  };
}

function spawnBun(bun: BunGlobal, cmd: string, args: string[], options?: SpawnOptions): ChildProcess {
  let proc: BunSubprocess;
  try {
    proc = bun.spawn([cmd, ...args], { stdin: 'pipe', stdout: 'pipe', stderr: 'ignore', env: childEnv(bun.env, options) });
  } catch {
    return failed();
  }
  let closed = false;
  return {
    pid: proc.pid,
    stdout: proc.stdout as unknown as AsyncIterable<Uint8Array>,
    write(data) {
      if (closed) return;
      try {
        proc.stdin.write(data);
        proc.stdin.flush();
      } catch {
        /* the process is gone; its exit is reported through `exited` */
      }
    },
    closeStdin() {
      if (closed) return;
      closed = true;
      try {
        proc.stdin.end();
      } catch {
        /* already closed */
      }
    },
    exited: proc.exited.then((code) => (proc.signalCode ? null : code)),
    kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}

async function runBun(
  bun: BunGlobal,
  cmd: string,
  args: string[],
  options?: SpawnOptions & { input?: string; timeoutMs?: number },
): Promise<RunResult> {
  let proc: BunSubprocess;
  try {
    proc = bun.spawn([cmd, ...args], {
      stdin: options?.input === undefined ? 'ignore' : 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      env: childEnv(bun.env, options),
    });
  } catch (e) {
    return { code: -1, stdout: '', stderr: String((e as Error).message) };
  }
  if (options?.input !== undefined) {
    proc.stdin.write(options.input);
    proc.stdin.end();
  }
  const timer = options?.timeoutMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (timer) clearTimeout(timer);
  return { code: proc.signalCode ? null : code, stdout, stderr };
}

function failed(): ChildProcess {
  return {
    pid: undefined,
    stdout: (async function* () {})(),
    write() {},
    closeStdin() {},
    exited: Promise.resolve(-1),
    kill() {},
  };
}

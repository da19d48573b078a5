/** Deno implementation (Deno.Command), loaded only under Deno. */
import type { ChildProcess, ProcessApi, RunResult, SpawnOptions } from './types.ts';
import { paced } from '../../runtime/paced.ts';
import { childEnv } from './env.ts';

/** The part of Deno's API we use (Deno's own types are not installed). */
interface DenoChild {
  pid: number;
  stdin: WritableStream<Uint8Array>;
  stdout: ReadableStream<Uint8Array>;
  status: Promise<{ code: number; signal: string | null }>;
  output(): Promise<{ code: number; signal: string | null; stdout: Uint8Array; stderr: Uint8Array }>;
  kill(signal?: string): void;
}
interface DenoGlobal {
  Command: new (cmd: string, options: Record<string, unknown>) => { spawn(): DenoChild };
  env: { toObject(): Record<string, string> };
}

export function denoProcessApi(): ProcessApi {
  const deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;
  return {
    spawn: (cmd, args, options) => spawnDeno(deno, cmd, args, options),
    run: (cmd, args, options) => runDeno(deno, cmd, args, options),
  };
}

function spawnDeno(deno: DenoGlobal, cmd: string, args: string[], options?: SpawnOptions): ChildProcess {
  let child: DenoChild;
  try {
    child = new deno.Command(cmd, {
      args,
      stdin: 'piped',
      stdout: 'piped',
      stderr: 'null',
      env: childEnv(deno.env.toObject(), options),
      clearEnv: true,
    }).spawn();
  } catch {
    return {
      pid: undefined,
      stdout: (async function* () {})(),
      write() {},
      closeStdin() {},
      exited: Promise.resolve(-1),
      kill() {},
    };
  }
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let closed = false;
  let done = false;
  const exited = child.status.then((s) => {
    done = true;
    return s.signal ? null : s.code;
  });
  return {
    pid: child.pid,
    // A flood from tmux is read in runs of at most 64 KiB, so clients get it as it comes.
    stdout: paced(child.stdout as unknown as AsyncIterable<Uint8Array>),
    write(data) {
      if (closed) return;
      // Writes queue inside the stream; we never await them (the caller must not block).
      writer.write(typeof data === 'string' ? encoder.encode(data) : data).catch(() => {});
    },
    closeStdin() {
      if (closed) return;
      closed = true;
      writer.close().catch(() => {});
    },
    exited,
    kill(signal = 'SIGTERM') {
      if (done) return;
      try {
        child.kill(signal);
      } catch {
        /* already exited */
      }
    },
  };
}

async function runDeno(
  deno: DenoGlobal,
  cmd: string,
  args: string[],
  options?: SpawnOptions & { input?: string; timeoutMs?: number },
): Promise<RunResult> {
  let child: DenoChild;
  try {
    child = new deno.Command(cmd, {
      args,
      stdin: options?.input === undefined ? 'null' : 'piped',
      stdout: 'piped',
      stderr: 'piped',
      env: childEnv(deno.env.toObject(), options),
      clearEnv: true,
    }).spawn();
  } catch (e) {
    return { code: -1, stdout: '', stderr: String((e as Error).message) };
  }
  if (options?.input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.input)).catch(() => {});
    await w.close().catch(() => {});
  }
  const timer =
    options?.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          try {
            child.kill('SIGKILL');
          } catch {
            /* gone */
          }
        }, options.timeoutMs);
  const out = await child.output();
  if (timer) clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.signal ? null : out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

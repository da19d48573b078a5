/**
 * Picks the process implementation for the runtime we run on, at run time, loading only
 * that runtime's module (dynamic import), so one bundle runs under Node, Bun and Deno.
 */
import { currentRuntime } from '../../runtime/detect.ts';
import type { ChildProcess, ProcessApi, RunResult, SpawnOptions } from './types.ts';

export type { ChildProcess, ProcessApi, RunResult, SpawnOptions } from './types.ts';

let api: Promise<ProcessApi> | undefined;

export function processApi(): Promise<ProcessApi> {
  api ??= load();
  return api;
}

async function load(): Promise<ProcessApi> {
  switch (currentRuntime()) {
    case 'bun':
      return (await import('./bun.ts')).bunProcessApi();
    case 'deno':
      return (await import('./deno.ts')).denoProcessApi();
    case 'node':
      return (await import('./node.ts')).nodeProcessApi();
  }
}

/** Spawn a long-lived process with piped stdin/stdout (stderr discarded). */
export async function spawnProcess(cmd: string, args: string[], options?: SpawnOptions): Promise<ChildProcess> {
  return (await processApi()).spawn(cmd, args, options);
}

/** Run a command to completion. A command that cannot start gives code -1 and the reason in stderr. */
export async function run(
  cmd: string,
  args: string[],
  options?: SpawnOptions & { input?: string; timeoutMs?: number },
): Promise<RunResult> {
  return (await processApi()).run(cmd, args, options);
}

/** What the numbers were measured on: CPU, memory, OS, runtimes, tmux, and how busy the machine was. */
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { openFileLimit, ROOT, runtimeVersion } from './proc.mjs';
import { tmuxVersion } from './tmux.mjs';

export async function describeMachine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    bun: runtimeVersion('bun'),
    deno: runtimeVersion('deno'),
    tmux: await tmuxVersion(),
    openFiles: openFileLimit(),
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The commit measured, `+changes` when the tree differs from it; undefined outside a git checkout. */
export function codeVersion() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${commit}+changes` : commit;
  } catch {
    return undefined;
  }
}

export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return os.loadavg();
  }
}

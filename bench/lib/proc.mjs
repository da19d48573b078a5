/**
 * Processes the bench starts, and what /proc says about them. Every process started
 * here is tracked and killed on exit, even when a scenario throws.
 */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLE = join(ROOT, 'dist', 'tmux-monitor.mjs');

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const running = new Set();

/** The command line that runs a script under a runtime (`flags` go to the runtime). */
export function runtimeCommand(runtime, script, args = [], flags = []) {
  switch (runtime) {
    case 'node':
      // BENCH_NODE_FLAGS: extra flags for the Node servers under test (e.g. --cpu-prof),
      // which NODE_OPTIONS would also give every client process, or refuse.
      return [process.execPath, [...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...flags, script, ...args]];
    case 'bun':
      return [join(ROOT, 'node_modules', '.bin', 'bun'), [...flags, script, ...args]];
    case 'deno':
      return [join(ROOT, 'node_modules', '.bin', 'deno'), ['run', '-A', '--quiet', ...flags, script, ...args]];
    default:
      throw new Error(`unknown runtime ${runtime}`);
  }
}

export function runtimeVersion(runtime) {
  try {
    const [cmd] = runtimeCommand(runtime, '');
    const out = execFileSync(cmd, runtime === 'deno' ? ['--version'] : ['--version'], { timeout: 10_000 }).toString();
    return out.split('\n')[0].trim();
  } catch {
    return null;
  }
}

/**
 * Starts a server and resolves once it prints `listening on ws://…` (its first line).
 * Resolves to { pid, url, port, stderr(), stop() }.
 */
export function startServer({ runtime = 'node', script = BUNDLE, args = [], flags = [], env = {}, timeoutMs = 15_000, label = 'server' }) {
  const [cmd, argv] = runtimeCommand(runtime, script, args, flags);
  // Servers get the hard open-file limit as their soft one (a server holding 10,000
  // connections needs 10,000 descriptors; many systems start processes at 1024).
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', cmd, ...argv], {
    cwd: ROOT,
    env: { ...process.env, TMUX: '', TMUX_PANE: '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  const stop = () => stopProcess(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${label} (${runtime}) did not start within ${timeoutMs} ms: ${stderr.slice(-600)}`));
    }, timeoutMs);
    const onData = (d) => {
      out += d.toString();
      const match = /listening on (wss?:\/\/\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume(); // keep draining whatever else it prints
      const url = match[1];
      resolve({ pid: child.pid, url, port: Number(new URL(url).port), runtime, stderr: () => stderr, stop, child });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} (${runtime}) exited (${code ?? signal}) before listening: ${stderr.slice(-600)}`));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
export function stopProcess(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Kills everything still running (on exit or interrupt). */
export function killAll() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function track(child) {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces and parentheses).
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds a process used: its own (user+system) and its reaped children's. */
export function cpuSeconds(pid) {
  try {
    const f = statFields(pid);
    // After ")": state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    return { self: (Number(f[11]) + Number(f[12])) / TICKS, children: (Number(f[13]) + Number(f[14])) / TICKS };
  } catch {
    return { self: 0, children: 0 };
  }
}

/** Live descendants of a process (the tmux control clients a server runs, say). */
export function descendants(pid) {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parents.set(Number(name), Number(statFields(name)[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift();
    for (const [child, parent] of parents) {
      if (parent === p) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** CPU seconds of a process and everything under it, live or reaped. */
export function treeCpuSeconds(pid) {
  const own = cpuSeconds(pid);
  let live = 0;
  for (const child of descendants(pid)) live += cpuSeconds(child).self;
  return { self: own.self, children: own.children + live };
}

/** Write-type syscalls a process has made (/proc/PID/io syscw): one per socket write or writev. */
export function writeSyscalls(pid) {
  try {
    const match = /syscw:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function openFileLimit() {
  try {
    const text = readFileSync('/proc/self/limits', 'utf8');
    const match = /Max open files\s+(\d+)\s+(\d+)/.exec(text);
    return match ? { soft: Number(match[1]), hard: Number(match[2]) } : null;
  } catch {
    return null;
  }
}

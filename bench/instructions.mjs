#!/usr/bin/env node
/**
 * `npm run bench:instructions`: what one connect (upgrade, auth, subscribe) costs the server,
 * in instructions, for tmux-monitor and for the bare `ws` baseline. Timing a connect on a
 * small shared machine drifts by ±20 % from run to run, more than most single changes save;
 * an instruction count repeats to about 1 %. So a change to the connect path can be judged
 * here, and the connection scenario of `npm run bench` then says what it is worth in time.
 *
 *   node bench/instructions.mjs [--connects 1000] [--warm 300] [--only ours|baseline] [--bundle FILE]
 *
 * Each server runs under `valgrind --tool=callgrind` with Node's `--single-threaded`:
 * compiling and garbage collection then run on the main thread, in the same order each run,
 * and are counted. `--warm` connects are made first and not counted. A larger `--warm`
 * (2000) leaves out most of the compiling of code that gets hot late. Kernel time (the
 * syscalls) is not counted. Needs valgrind (Debian: apt-get install valgrind). Loopback only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINE_SERVER, buildAll } from './lib/build.mjs';
import { BUNDLE, track } from './lib/proc.mjs';
import { newSecret, signToken } from './lib/token.mjs';
import { ClientPool } from './lib/workers.mjs';

const opts = { connects: 1000, warm: 300, only: ['ours', 'baseline'], bundle: BUNDLE };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--connects') opts.connects = Number(process.argv[++i]);
  else if (a === '--warm') opts.warm = Number(process.argv[++i]);
  else if (a === '--only') opts.only = [process.argv[++i]];
  else if (a === '--bundle') opts.bundle = process.argv[++i];
  else {
    console.error(`usage: node bench/instructions.mjs [--connects N] [--warm N] [--only ours|baseline] [--bundle FILE]`);
    process.exit(2);
  }
}

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('valgrind is not installed (Debian: apt-get install valgrind)');
  process.exit(1);
}
await buildAll({ cli: opts.bundle === BUNDLE });

const secret = newSecret();
const token = signToken(secret);
const servers = {
  ours: { script: opts.bundle, args: ['serve', '--port', '0', '--source', 'none', '--max-connections', '20000', '--quiet'] },
  baseline: { script: BASELINE_SERVER, args: [] },
};

/** Instructions the server ran while `work` ran: callgrind's counters zeroed before, dumped after. */
async function countDuring(name, work) {
  const dir = mkdtempSync(join(tmpdir(), `instructions-${name}-`));
  const { script, args } = servers[name];
  const child = track(
    spawn(
      'valgrind',
      ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'out.%p')}`, process.execPath, '--single-threaded', script, ...args],
      {
        env: { ...process.env, TMUX_MONITOR_SECRET: secret, TMUX: '', TMUX_PANE: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${name} did not start under valgrind within 120 s`)), 120_000);
      child.stdout.on('data', (d) => {
        out += d;
        const match = /listening on (wss?:\/\/\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it listened`)));
    });
    return await work(url, (command) => execFileSync('callgrind_control', [command, String(child.pid)], { stdio: 'ignore' }), dir);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The instruction total of the dumps callgrind_control asked for (not the one at exit). */
function dumpedInstructions(dir) {
  let total = 0;
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (!/\ndesc: Trigger: dump/.test(text.slice(0, 4000))) continue;
    total += Number(/\nsummary: (\d+)/.exec(text)?.[1] ?? 0);
  }
  return total;
}

for (const name of opts.only) {
  const pool = new ClientPool(1);
  try {
    const perConnect = await countDuring(name, async (url, control, dir) => {
      const ensure = (total) => pool.ensure({ url, token, total, filters: {}, concurrency: 10 });
      if (opts.warm > 0) await ensure(opts.warm);
      control('-z');
      const ready = await ensure(opts.warm + opts.connects);
      control('-d');
      if (ready.open < opts.warm + opts.connects) throw new Error(`${name}: only ${ready.open} connections opened`);
      return dumpedInstructions(dir) / opts.connects;
    });
    console.log(
      `${name.padEnd(9)} ${Math.round(perConnect).toLocaleString('en')} instructions per connect (${opts.connects} after ${opts.warm})`,
    );
  } finally {
    await pool.stop();
  }
}
process.exit(0);

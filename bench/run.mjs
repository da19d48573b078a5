#!/usr/bin/env node
/**
 * `npm run bench`: builds, then runs each benchmark scenario with its baseline in the
 * same run, prints a table per scenario, writes JSON results to bench/results/ and (on a
 * full run) docs/benchmarks.md with docs/bench-latency.svg and docs/bench-fanout.svg.
 *
 *   node bench/run.mjs [--quick] [--only latency,structural,agent-state,fanout,connections,idle,bus]
 *                      [--runtimes node,bun,deno] [--clients 1,10,100,1000] [--out DIR] [--no-docs] [--docs-dir DIR]
 *                      [--skip-build | --skip-cli-build] [--from-results DIR]
 *
 * --quick: tiny loads and durations (the smoke test's mode; writes no docs unless
 * --docs-dir says where). --parallel (quick runs only): run the scenarios side by side.
 * --from-results DIR: measure nothing; publish DIR/summary.json (a finished run) again.
 * --clients LIST: the fan-out scenario's client counts (default 1,10,100,1000).
 * Every scenario is bounded in time and load, talks only to 127.0.0.1, and kills every
 * process and private tmux server it starts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll } from './lib/build.mjs';
import { connectClient } from './lib/client.mjs';
import { codeVersion, describeMachine, loadAverage } from './lib/machine.mjs';
import { killAll, ROOT, startServer } from './lib/proc.mjs';
import { formatText } from './lib/table.mjs';
import { killAllTmux } from './lib/tmux.mjs';
import { newSecret, signToken } from './lib/token.mjs';
import { writeReport } from './lib/report.mjs';

const SCENARIOS = ['latency', 'structural', 'agent-state', 'fanout', 'connections', 'idle', 'bus'];
const RUNTIMES = ['node', 'bun', 'deno'];
/** Longest a scenario may take before it is stopped (full run; quick runs get 90 s). */
const LIMITS_SEC = { latency: 150, structural: 150, 'agent-state': 330, fanout: 300, connections: 240, idle: 150, bus: 240 };

function parseArgs(argv) {
  const opts = {
    quick: false,
    parallel: false,
    only: SCENARIOS,
    runtimes: RUNTIMES,
    out: join(ROOT, 'bench', 'results'),
    docs: true,
    docsDir: null,
    build: 'all',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const list = () =>
      (argv[++i] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    if (a === '--quick') opts.quick = true;
    else if (a === '--parallel') opts.parallel = true;
    else if (a === '--only') opts.only = list();
    else if (a === '--runtimes') opts.runtimes = list();
    else if (a === '--clients') opts.clients = list().map(Number);
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--no-docs') opts.docs = false;
    else if (a === '--docs-dir') opts.docsDir = argv[++i];
    else if (a === '--from-results') opts.fromResults = argv[++i];
    else if (a === '--skip-build') opts.build = 'none';
    else if (a === '--skip-cli-build') opts.build = 'bench';
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node bench/run.mjs [--quick [--parallel]] [--only LIST] [--runtimes LIST] [--clients LIST] [--out DIR] [--no-docs] [--docs-dir DIR] [--skip-build|--skip-cli-build] [--from-results DIR]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const s of opts.only) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (${SCENARIOS.join(', ')})`);
  for (const r of opts.runtimes) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime ${r}`);
  if (opts.quick && opts.docsDir === null) opts.docs = false;
  if (opts.parallel && !opts.quick) throw new Error('--parallel is for --quick runs only (it would spoil the measurements)');
  opts.docsDir ??= join(ROOT, 'docs');
  return opts;
}

const log = (message) => process.stderr.write(`${message}\n`);

function cleanup() {
  killAll();
  killAllTmux(execFileSync);
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

/** Can this runtime run the server (and take a WebSocket client)? null if so, else why not. */
async function probeRuntime(runtime, secret, token) {
  let server;
  try {
    server = await startServer({
      runtime,
      args: ['serve', '--port', '0', '--source', 'none', '--quiet'],
      env: { TMUX_MONITOR_SECRET: secret },
      timeoutMs: 15_000,
    });
    const client = await connectClient(server.url, token, {}, { timeoutMs: 5000 });
    await client.close();
    return null;
  } catch (error) {
    const text = String(error.message ?? error);
    const why =
      /: (.*)$/s
        .exec(text)?.[1]
        ?.trim()
        .split('\n')
        .find((l) => l.trim() !== '') ?? text;
    return why.replace(/^tmux-monitor: /, '').slice(0, 160);
  } finally {
    await server?.stop();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.fromResults) {
    // Publish a finished run again (after a change to the report), without measuring.
    const all = JSON.parse(readFileSync(join(opts.fromResults, 'summary.json'), 'utf8'));
    mkdirSync(opts.docsDir, { recursive: true });
    log(`wrote ${writeReport(all, opts.docsDir).join(', ')}`);
    return 0;
  }
  const started = Date.now();
  if (opts.build !== 'none') {
    log('building…');
    await buildAll({ cli: opts.build === 'all' });
  }
  mkdirSync(opts.out, { recursive: true });
  const machine = await describeMachine();
  log(`machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, load ${machine.loadAverageAtStart.join(' ')}`);
  const secret = newSecret();
  const token = signToken(secret, { sub: 'bench', role: 'admin', ttlSec: 4 * 3600 });

  const runtimes = [];
  const unavailable = {};
  for (const runtime of opts.runtimes) {
    const why = await probeRuntime(runtime, secret, token);
    if (why === null) runtimes.push(runtime);
    else {
      unavailable[runtime] = why;
      log(`runtime ${runtime} unavailable: ${why}`);
    }
  }
  const ctx = { quick: opts.quick, runtimes, unavailable, secret, token, log, clients: opts.clients };

  const all = {
    command: `node bench/run.mjs${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}`,
    quick: opts.quick,
    startedAt: new Date(started).toISOString(),
    code: codeVersion(),
    machine,
    runtimes: { selected: opts.runtimes, available: runtimes, unavailable },
    scenarios: {},
  };
  const runScenario = async (name) => {
    log(`\n== ${name}`);
    const t0 = Date.now();
    const load0 = loadAverage();
    const mod = await import(`./scenarios/${name}.mjs`);
    const limitMs = (opts.quick ? 90 : LIMITS_SEC[name]) * 1000;
    let result;
    let timer;
    try {
      result = await Promise.race([
        mod.run(ctx),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`stopped after ${limitMs / 1000} s`)), limitMs);
        }),
      ]);
    } catch (error) {
      // Stop whatever the scenario left running before the next one starts.
      cleanup();
      result = { error: String(error.stack ?? error), results: [], tables: [] };
      log(`${name} failed: ${error.message ?? error}`);
    } finally {
      clearTimeout(timer);
    }
    const entry = {
      scenario: name,
      title: mod.title,
      durationSec: Math.round((Date.now() - t0) / 100) / 10,
      loadAverage: { before: load0, after: loadAverage() },
      ...result,
    };
    writeFileSync(join(opts.out, `${name}.json`), JSON.stringify(entry, null, 2) + '\n');
    return entry;
  };
  // A quick run (the smoke test) runs its scenarios side by side: their numbers mean
  // nothing anyway, and each has its own servers, ports and tmux. A full run never does.
  const entries = opts.parallel ? await Promise.all(opts.only.map(runScenario)) : [];
  if (!opts.parallel) for (const name of opts.only) entries.push(await runScenario(name));
  for (const entry of entries) {
    all.scenarios[entry.scenario] = entry;
    for (const table of entry.tables ?? []) console.log('\n' + formatText(table));
  }
  all.durationSec = Math.round((Date.now() - started) / 1000);
  writeFileSync(join(opts.out, 'summary.json'), JSON.stringify(all, null, 2) + '\n');
  if (opts.docs) {
    mkdirSync(opts.docsDir, { recursive: true });
    const written = writeReport(all, opts.docsDir);
    log(`\nwrote ${written.join(', ')}`);
  }
  log(`\ndone in ${all.durationSec} s; results in ${opts.out}`);
  const failed = Object.values(all.scenarios).filter((s) => s.error);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    cleanup();
    process.exit(code);
  },
  (error) => {
    console.error(error);
    cleanup();
    process.exit(1);
  },
);

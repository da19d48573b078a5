/**
 * 4. Connections and memory: RSS of the server process idle, then with 10, 100, 1000 and
 * 10 000 idle clients, each authenticated (a real HS256 JWT) and subscribed to
 * everything, held by client processes apart from the server. Beside it the baseline
 * ws server with the same clients. Reports the marginal bytes per connection.
 */
import { sleep, now } from '../lib/clock.mjs';
import { BASELINE_SERVER } from '../lib/build.mjs';
import { cpuSeconds, openFileLimit, rssBytes, startServer, BUNDLE } from '../lib/proc.mjs';
import { round } from '../lib/stats.mjs';
import { fmt } from '../lib/table.mjs';
import { ClientPool } from '../lib/workers.mjs';

export const title = 'Connections and memory: idle authenticated, subscribed clients';

export async function run(ctx) {
  const limit = openFileLimit();
  let steps = ctx.quick ? [0, 5, 20] : [0, 10, 100, 1000, 10_000];
  // The server needs a descriptor per connection; it runs with the hard limit (proc.mjs).
  // Client processes keep their soft limit, so each holds at most PER_WORKER connections.
  const maxByFds = limit ? limit.hard - 500 : 1000;
  const cut = steps.filter((n) => n > maxByFds);
  steps = steps.filter((n) => n <= maxByFds);
  const perWorker = Math.max(100, Math.min(1000, (limit?.soft ?? 1024) - 124));
  const workers = ctx.quick ? 1 : Math.ceil(Math.max(...steps) / perWorker);
  const settleMs = ctx.quick ? 300 : 1500;
  const idleCpuSec = ctx.quick ? 0.5 : 3;
  const serveArgs = ['serve', '--port', '0', '--source', 'none', '--max-connections', '20000', '--quiet'];
  // Bun and Deno for context (which runtime to pick), up to 1000 connections.
  const small = steps.filter((n) => n <= 1000);
  const ours = { name: 'tmux-monitor', runtime: 'node', label: 'tmux-monitor (node)', script: BUNDLE, args: serveArgs, steps };
  const baseline = { name: 'baseline', runtime: 'node', label: 'baseline ws (node)', script: BASELINE_SERVER, args: [], steps };
  // Whichever server runs first pays for the machine's warm-up (the first burst of 10,000
  // sockets grows the kernel's socket caches, and the worker processes start cold).
  // Measured with the same code: ours first, 0.65–0.77× the baseline's connects/s; the
  // baseline first, 0.99×. So an unmeasured warm-up pass (the baseline, every step) comes
  // first, then node and its baseline run three times each, A B B A A B (which also cancels
  // a steady drift of the machine's load), each reporting the median of its runs: one run's
  // connect rate on this 2-core machine moves by ±10 % with whatever else runs, for either.
  const node = ctx.quick ? [ours, baseline] : [{ ...baseline, warmUp: true }, ours, baseline, baseline, ours, ours, baseline];
  const servers = [
    ...node,
    { name: 'tmux-monitor', runtime: 'bun', label: 'tmux-monitor (bun)', script: BUNDLE, args: serveArgs, steps: small },
    { name: 'tmux-monitor', runtime: 'deno', label: 'tmux-monitor (deno)', script: BUNDLE, args: serveArgs, steps: small },
  ].filter((s) => s.runtime === 'node' || ctx.runtimes.includes(s.runtime));
  if (cut.length > 0) ctx.log(`  open-file limit ${limit?.hard}: leaving out ${cut.join(', ')} connections (raise ulimit -n)`);
  const results = [];
  for (const server of servers) {
    ctx.log(`  ${server.label}: ${server.steps.join(', ')} connections${server.warmUp ? ' (warm-up, not reported)' : ''}`);
    let proc;
    const pool = new ClientPool(Math.min(workers, Math.max(1, Math.ceil(Math.max(...server.steps) / perWorker))));
    try {
      proc = await startServer({
        runtime: server.runtime,
        script: server.script,
        args: server.args,
        env: { TMUX_MONITOR_SECRET: ctx.secret },
        label: server.label,
      });
      const rows = [];
      for (const n of server.steps) {
        const cpu0 = cpuSeconds(proc.pid).self;
        const t0 = now();
        const ready = await pool.ensure({ url: proc.url, token: ctx.token, total: n, filters: {}, concurrency: 50 });
        const connectSec = (now() - t0) / 1000;
        const connectCpuSec = cpuSeconds(proc.pid).self - cpu0;
        // This step's new connections (the 10,000 step opens 9,000 beside the 1,000 held).
        const opened = Math.max(0, ready.open - (rows.at(-1)?.connections ?? 0));
        await sleep(settleMs);
        rows.push({
          connections: ready.open,
          failed: ready.failed,
          errors: ready.errors,
          connectPerSec: opened > 0 ? round(opened / connectSec, 0) : null,
          // The server's CPU for this step's new connections: the figure the client
          // processes, which share the 2 cores, bend least.
          cpuMicrosPerConnect: opened > 0 ? round((connectCpuSec * 1e6) / opened, 0) : null,
          rssBytes: rssBytes(proc.pid),
        });
        if (ready.open < n) break;
      }
      // What idle connections cost in CPU (heartbeats, timers), at the largest step.
      const c0 = cpuSeconds(proc.pid).self;
      await sleep(idleCpuSec * 1000);
      const idleCpuPercent = round(((cpuSeconds(proc.pid).self - c0) / idleCpuSec) * 100, 2);
      for (let i = 1; i < rows.length; i++) {
        const d = rows[i].connections - rows[i - 1].connections;
        rows[i].marginalBytesPerConnection = d > 0 ? Math.round((rows[i].rssBytes - rows[i - 1].rssBytes) / d) : null;
      }
      const first = rows[0];
      const last = rows[rows.length - 1];
      if (server.warmUp) continue;
      results.push({
        server: server.name,
        runtime: server.runtime,
        label: server.label,
        steps: rows,
        idleCpuPercentAtMax: idleCpuPercent,
        bytesPerConnectionOverall:
          last.connections > first.connections
            ? Math.round((last.rssBytes - first.rssBytes) / (last.connections - first.connections))
            : null,
      });
    } catch (error) {
      results.push({ server: server.name, runtime: server.runtime, label: server.label, error: String(error.message ?? error) });
    } finally {
      await pool.stop();
      await proc?.stop();
    }
  }
  mergeRepeats(results);
  const mib = (b) => (b === null || b === undefined ? '–' : fmt(b / 2 ** 20, 1));
  const table = {
    title: `${title} (server RSS${results.some((r) => r.runs) ? '; node rows: the median of 3 runs, in the order A B B A A B' : ''}${cut.length ? `; ${cut.join(', ')} left out: open-file limit ${limit?.hard}` : ''})`,
    columns: ['server', 'connections', 'RSS MiB', 'marginal KiB/conn', 'connects/s', 'server CPU µs/connect', 'failed'],
    rows: results.flatMap((r) =>
      r.error
        ? [[r.label, `error: ${r.error}`, '', '', '', '', '']]
        : r.steps.map((s) => [
            r.label,
            s.connections,
            mib(s.rssBytes),
            s.marginalBytesPerConnection === undefined || s.marginalBytesPerConnection === null
              ? '–'
              : fmt(s.marginalBytesPerConnection / 1024, 1),
            s.connectPerSec ?? '–',
            s.cpuMicrosPerConnect ?? '–',
            s.failed,
          ]),
    ),
  };
  const summary = {
    title: 'Per connection, and idle CPU at the largest count',
    columns: ['server', 'connections', 'KiB/conn overall', 'idle CPU at max'],
    rows: results
      .filter((r) => !r.error)
      .map((r) => [
        r.label,
        r.steps[r.steps.length - 1].connections,
        fmt(r.bytesPerConnectionOverall / 1024, 1),
        `${fmt(r.idleCpuPercentAtMax, 2)}%`,
      ]),
  };
  return { params: { steps, workers, perWorker, settleMs, openFiles: limit, cutByFileLimit: cut }, results, tables: [table, summary] };
}

/**
 * A server measured more than once (A B B A A B) becomes one result: per step, the median
 * of its runs' figures (one disturbed run moves a median least); each run's own rows stay
 * in `runs`.
 */
function mergeRepeats(results) {
  for (let i = 0; i < results.length; i++) {
    const same = results.filter((r, k) => k >= i && r.label === results[i].label);
    if (same.length < 2) continue;
    for (const r of same.slice(1)) results.splice(results.indexOf(r), 1);
    const runs = same.filter((r) => !r.error);
    if (runs.length < 2) {
      results[i] = runs[0] ?? same[0];
      continue;
    }
    const steps = runs[0].steps.slice(0, Math.min(...runs.map((r) => r.steps.length))).map((s, n) => {
      const at = runs.map((r) => r.steps[n]);
      const pick = (key) => median(at.map((t) => t[key]));
      return {
        ...s,
        failed: at.reduce((sum, t) => sum + t.failed, 0),
        connectPerSec: pick('connectPerSec'),
        cpuMicrosPerConnect: pick('cpuMicrosPerConnect'),
        rssBytes: pick('rssBytes'),
        marginalBytesPerConnection: pick('marginalBytesPerConnection'),
      };
    });
    results[i] = {
      ...runs[0],
      steps,
      idleCpuPercentAtMax: median(runs.map((r) => r.idleCpuPercentAtMax)),
      bytesPerConnectionOverall: median(runs.map((r) => r.bytesPerConnectionOverall)),
      runs: runs.map((r) => r.steps),
    };
  }
}

/** The middle value (the mean of the middle two for an even count); null when none is known. */
function median(values) {
  const known = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = known.length >> 1;
  return known.length % 2 ? known[mid] : round((known[mid - 1] + known[mid]) / 2, 2);
}

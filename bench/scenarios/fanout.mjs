/**
 * 3. Fan-out: the in-memory source emits N pane.output events a second (~565-byte
 * events) to C connected clients, held by client processes apart from the server.
 * Beside it, in the same run and with the same clients and workload, the baseline: a
 * minimal broadcast server on the `ws` package (serialize once, send to all).
 *
 * Two loads per C: "steady" (20 000 deliveries/s in all, which both should carry) for
 * latency, and "max" (400 000 offered deliveries/s, more than 2 cores can carry) for the
 * throughput ceiling. Server CPU time per delivered message is the figure least bent by
 * the clients sharing the machine's 2 cores; write syscalls per delivered message (from
 * /proc/PID/io) shows how well sends are batched, and counts calls, not time.
 */
import { now, sleep } from '../lib/clock.mjs';
import { BASELINE_SERVER, FANOUT_SERVER } from '../lib/build.mjs';
import { cpuSeconds, rssBytes, startServer, writeSyscalls } from '../lib/proc.mjs';
import { Histogram, round } from '../lib/stats.mjs';
import { fmt } from '../lib/table.mjs';
import { ClientPool } from '../lib/workers.mjs';

export const title = 'Fan-out: events to C clients';

export async function run(ctx) {
  const levels = ctx.clients ?? (ctx.quick ? [1, 3] : [1, 10, 100, 1000]);
  const quickSeconds = 0.5;
  const loads = ctx.quick
    ? [{ name: 'steady', deliveries: 2000, maxRate: 1000 }]
    : [
        // Three rounds for Node and its baseline, alternating (A B, B A, A B), pooled: the
        // p99 of one 2 s run at 1000 clients rests on its slowest of 40 events, and two such
        // runs a minute apart differ by up to 2x, for either server.
        { name: 'steady', deliveries: 20_000, maxRate: 20_000, seconds: 2, rounds: 3 },
        // Short: what the clients cannot take in is drained afterwards, at their pace.
        { name: 'max', deliveries: 400_000, maxRate: 100_000, seconds: 1 },
      ];
  const servers = [
    { name: 'tmux-monitor', runtime: 'node', script: FANOUT_SERVER, label: 'tmux-monitor (node)' },
    { name: 'baseline', runtime: 'node', script: BASELINE_SERVER, label: 'baseline ws (node)' },
    { name: 'tmux-monitor', runtime: 'bun', script: FANOUT_SERVER, label: 'tmux-monitor (bun)' },
    { name: 'tmux-monitor', runtime: 'deno', script: FANOUT_SERVER, label: 'tmux-monitor (deno)' },
  ];
  const workers = ctx.quick ? 1 : 4;
  const results = [];
  const skipped = [];
  const live = [];
  try {
    for (const server of servers) {
      if (!ctx.runtimes.includes(server.runtime)) {
        skipped.push({ ...server, skipped: ctx.unavailable[server.runtime] ?? 'runtime not selected' });
        continue;
      }
      try {
        const proc = await startServer({
          runtime: server.runtime,
          script: server.script,
          env: { TMUX_MONITOR_SECRET: ctx.secret },
          label: server.label,
        });
        const base = proc.url.replace(/^ws/, 'http').replace(/\/monitor$/, '');
        const info = await (await fetch(`${base}/bench/info`)).json();
        const clockOffsetMs = await serverClockOffset(base);
        live.push({ ...server, proc, base, info, clockOffsetMs, pool: new ClientPool(workers) });
      } catch (error) {
        skipped.push({ ...server, error: String(error.message ?? error) });
      }
    }
    // Every client process up (forking them takes the machine's cores for a moment), and
    // every server warmed up with the same short, unrecorded run: without it, whichever
    // server is measured first pays for its JIT compiling, and for the client processes
    // of the others starting, in its tail latency.
    await Promise.all(live.map((s) => s.pool.stats()));
    if (!ctx.quick) {
      for (const s of live) {
        ctx.log(`  ${s.label}: warm-up`);
        await measure(s, 1, 20_000, 0.5, ctx).catch(() => {});
      }
    }
    // Interleaved: at each C every server is measured in turn, so that a change in the
    // machine's background load touches all of them alike.
    for (const clients of levels) {
      // Each server's clients for this step connect, and it carries them at the steady rate
      // for a moment, unrecorded, before any round: otherwise the first round holds the
      // aftermath of the connects made just before it (up to 900; the collector, the
      // compiler, busy client processes) and of the step before (a max load), and it
      // holds it for whichever server happens to be measured first.
      if (!ctx.quick) {
        const rate = eventRate(loads[0], clients);
        for (const s of live) {
          ctx.log(`  ${s.label}: ${clients} clients, warm-up`);
          await measure(s, clients, rate, 0.5, ctx).catch(() => {});
        }
      }
      for (const load of loads) {
        const rate = eventRate(load, clients);
        const rounds = ctx.quick ? 1 : (load.rounds ?? 1);
        /** Each server's measured runs of this step (a result row holds the same array). */
        const runsOf = new Map();
        for (const s of live) {
          ctx.log(`  ${s.label}: ${clients} clients, ${rate} events/s (${load.name})`);
          try {
            const runs = [await measure(s, clients, rate, load.seconds ?? quickSeconds, ctx)];
            runsOf.set(s, runs);
            results.push({ server: s.name, runtime: s.runtime, label: s.label, clients, load: load.name, runs });
          } catch (error) {
            const exited = s.proc.child.exitCode ?? s.proc.child.signalCode;
            const why =
              exited === null
                ? String(error.message ?? error)
                : `server exited (${exited}): ${s.proc.stderr().trim().split('\n').slice(-8).join(' | ').slice(0, 1500)}`;
            results.push({ server: s.name, runtime: s.runtime, label: s.label, clients, load: load.name, rate, error: why });
          }
        }
        // The further rounds: Node and its baseline only, in the reverse order each time.
        const repeated = live.filter((s) => s.runtime === 'node' && runsOf.has(s));
        for (let round = 2; round <= rounds; round++) {
          for (const s of round % 2 === 0 ? [...repeated].reverse() : repeated) {
            ctx.log(`  ${s.label}: ${clients} clients, ${rate} events/s (${load.name}, round ${round})`);
            try {
              runsOf.get(s).push(await measure(s, clients, rate, load.seconds ?? quickSeconds, ctx));
            } catch (error) {
              ctx.log(`  ${s.label}: round ${round} failed (${error.message ?? error}); the rounds before stand`);
            }
          }
        }
        for (const r of results) if (r.runs) Object.assign(r, pool(r.runs), { runs: undefined });
      }
    }
  } finally {
    for (const s of live) {
      await s.pool.stop();
      await s.proc.stop();
    }
  }

  // Throughput relative to the baseline at the same C and load.
  for (const r of results) {
    const base = results.find((b) => b.server === 'baseline' && b.clients === r.clients && b.load === r.load);
    if (base && !r.error && !base.error && base.deliveredPerSec > 0) r.ratioToBaseline = round(r.deliveredPerSec / base.deliveredPerSec, 3);
  }
  const tables = loads.map((load) => ({
    title: `${title} — ${load.name} load (${load.deliveries.toLocaleString('en-US')} offered deliveries/s, ≤ ${load.maxRate.toLocaleString('en-US')} events/s, ${load.seconds ?? quickSeconds} s${!ctx.quick && load.rounds > 1 ? `; node rows: ${load.rounds} rounds each, alternating with the baseline, latencies pooled` : ''})`,
    columns: [
      'server',
      'clients',
      'events/s',
      'delivered/s',
      'delivered',
      'vs baseline',
      'p50 ms',
      'p99 ms',
      'lagged',
      'closed',
      'server CPU',
      'CPU µs/msg',
      'writes/msg',
    ],
    rows: results
      .filter((r) => r.load === load.name)
      .map((r) =>
        r.error
          ? [r.label, r.clients, r.rate, `error: ${r.error}`, '', '', '', '', '', '', '', '', '']
          : [
              r.label,
              r.clients,
              r.rate,
              fmt(Math.round(r.deliveredPerSec)),
              `${fmt(r.deliveredFraction * 100, 1)}%`,
              r.server === 'baseline' ? '1' : fmt(r.ratioToBaseline, 2),
              fmt(r.latency.p50),
              fmt(r.latency.p99),
              r.laggedClients,
              r.closedClients,
              `${fmt(r.serverCpuPercent, 0)}%`,
              fmt(r.cpuMicrosPerDelivery, 2),
              fmt(r.writesPerDelivery, 3),
            ],
      ),
  }));
  for (const s of skipped) {
    tables[0].rows.push([s.label, '', '', s.skipped ? `skipped: ${s.skipped}` : `error: ${s.error}`, '', '', '', '', '', '', '', '', '']);
  }
  return {
    params: { levels, loads, workers, eventBytes: live[0]?.info.eventBytes ?? null },
    results,
    skipped,
    tables,
  };
}

/**
 * A check on the clocks, recorded with the results and not applied: how far the server's
 * clock (which stamps events) is ahead of ours (which the clients share), by Cristian's
 * method: of 25 round trips to `GET /bench/clock`, the fastest, assuming the server read
 * its clock half-way through it. Each process corrects its own clock against the system
 * clock (bench/lib/clock.mjs); what is left shows here, typically a few tenths of a ms
 * (mostly the asymmetry of the HTTP round trip itself).
 */
async function serverClockOffset(base) {
  let best = null;
  for (let i = 0; i < 25; i++) {
    const t0 = now();
    const { now: server } = await (await fetch(`${base}/bench/clock`)).json();
    const t1 = now();
    if (best === null || t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: server - (t0 + t1) / 2 };
  }
  return round(best.offset, 3);
}

/** One row from the rounds of a step: totals summed, latencies pooled, each round's figures kept. */
function pool(runs) {
  const last = runs.at(-1);
  if (runs.length === 1) return { ...last, histogram: undefined };
  const histogram = new Histogram();
  for (const r of runs) histogram.merge(r.histogram);
  const sum = (key) => runs.reduce((total, r) => total + (r[key] ?? 0), 0);
  const delivered = sum('delivered');
  const expected = sum('expected');
  const cpu = sum('serverCpuSeconds');
  const writes = runs.every((r) => r.writesPerDelivery !== null) ? runs.reduce((t, r) => t + r.writesPerDelivery * r.delivered, 0) : null;
  return {
    ...last,
    histogram: undefined,
    emitted: sum('emitted'),
    generatorLagMs: Math.max(...runs.map((r) => r.generatorLagMs ?? 0)),
    expected,
    delivered,
    deliveredFraction: round(delivered / expected, 4),
    deliveredPerSec: round(sum('deliveredPerSec') / runs.length, 1),
    latency: histogram.summary(),
    laggedClients: Math.max(...runs.map((r) => r.laggedClients)),
    closedClients: Math.max(...runs.map((r) => r.closedClients)),
    serverCpuSeconds: round(cpu, 2),
    serverCpuPercent: round(sum('serverCpuPercent') / runs.length, 1),
    cpuMicrosPerDelivery: delivered > 0 ? round((cpu * 1e6) / delivered, 3) : null,
    writesPerDelivery: writes === null || delivered === 0 ? null : round(writes / delivered, 3),
    rounds: runs.map((r) => ({ p50: r.latency.p50, p99: r.latency.p99, deliveredPerSec: r.deliveredPerSec })),
  };
}

/** Events a second that make `load`'s deliveries a second at `clients` clients (at least 1). */
function eventRate(load, clients) {
  return Math.max(1, Math.min(load.maxRate, Math.round(load.deliveries / clients)));
}

async function measure(s, clients, rate, seconds, ctx) {
  const ready = await s.pool.ensure({ url: s.proc.url, token: ctx.token, total: clients, filters: { types: ['pane.output'] } });
  if (ready.open < clients) throw new Error(`only ${ready.open}/${clients} clients connected: ${JSON.stringify(ready.errors)}`);
  await s.pool.reset();
  await sleep(200);
  const cpu0 = cpuSeconds(s.proc.pid).self;
  const writes0 = writeSyscalls(s.proc.pid);
  const t0 = now();
  const emitted = await (await fetch(`${s.base}/bench/emit?rate=${rate}&seconds=${seconds}&size=200`)).json();
  const expected = emitted.emitted * clients;
  // Wait for the deliveries to drain: all arrived, or nothing more for 500 ms (at most 20 s).
  let stats;
  let last = -1;
  let lastChange = now();
  const drainDeadline = now() + 20_000;
  for (;;) {
    await sleep(100);
    stats = await s.pool.stats();
    if (stats.received >= expected || now() > drainDeadline) break;
    if (stats.received !== last) {
      last = stats.received;
      lastChange = now();
    } else if (now() - lastChange > 500) break;
  }
  const wallSec = ((stats.lastAt ?? now()) - t0) / 1000;
  const cpu = cpuSeconds(s.proc.pid).self - cpu0;
  const writes = writes0 === null ? null : writeSyscalls(s.proc.pid) - writes0;
  return {
    rate,
    emitted: emitted.emitted,
    generatorLagMs: emitted.maxGeneratorLagMs,
    expected,
    delivered: stats.received,
    deliveredFraction: round(stats.received / expected, 4),
    deliveredPerSec: round(stats.received / wallSec, 1),
    latency: stats.latency,
    serverClockOffsetMs: s.clockOffsetMs,
    laggedClients: stats.laggedConnections,
    droppedReported: stats.droppedReported,
    closedClients: stats.closedConnections,
    closeCodes: stats.closeCodes,
    serverCpuSeconds: round(cpu, 2),
    serverCpuPercent: round((cpu / wallSec) * 100, 1),
    cpuMicrosPerDelivery: stats.received > 0 ? round((cpu * 1e6) / stats.received, 3) : null,
    // syscw counts write/writev, which Node's sockets use; Bun and Deno send with send(2),
    // which it does not count.
    writesPerDelivery: s.runtime === 'node' && writes !== null && stats.received > 0 ? round(writes / stats.received, 3) : null,
    serverRssMiB: round((rssBytes(s.proc.pid) ?? 0) / 2 ** 20, 1),
    histogram: stats.histogram,
  };
}

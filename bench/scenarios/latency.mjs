/**
 * 1. End-to-end latency: a pane in a real tmux server prints timestamped lines at a
 * steady rate; a client measures each line from its timestamp to its arrival in
 * `pane.output`. The control-mode source under each runtime, and beside it the polling
 * source (500 ms) on the same workload.
 */
import { join } from 'node:path';
import { now, sleep } from '../lib/clock.mjs';
import { connectClient } from '../lib/client.mjs';
import { ROOT, startServer } from '../lib/proc.mjs';
import { summarize } from '../lib/stats.mjs';
import { fmt } from '../lib/table.mjs';
import { startTmux } from '../lib/tmux.mjs';
import { waitForSource } from './common.mjs';

export const title = 'End-to-end latency: pane output → client';

const PRINTER = join(ROOT, 'bench', 'servers', 'pane-printer.mjs');

export async function run(ctx) {
  const rate = ctx.quick ? 50 : 100;
  const seconds = ctx.quick ? 0.5 : 8;
  const warm = Math.round(rate / 2); // the first half second is warm-up, not counted
  const configs = [
    { source: 'tmux', runtime: 'node', label: 'control mode (node)' },
    { source: 'poll', runtime: 'node', label: 'polling 500 ms (node) — baseline' },
    { source: 'tmux', runtime: 'bun', label: 'control mode (bun)' },
    { source: 'tmux', runtime: 'deno', label: 'control mode (deno)' },
  ];
  const results = [];
  for (const config of configs) {
    if (!ctx.runtimes.includes(config.runtime)) {
      results.push({ ...config, skipped: ctx.unavailable[config.runtime] ?? 'runtime not selected' });
      continue;
    }
    ctx.log(`  ${config.label}: ${rate} lines/s for ${seconds} s`);
    try {
      results.push({ ...config, ...(await measure(ctx, config, { rate, count: Math.round(rate * seconds), warm })) });
    } catch (error) {
      results.push({ ...config, error: String(error.message ?? error) });
    }
  }
  const table = {
    title: `${title} (${rate} lines/s, ${seconds} s, ms)`,
    columns: ['source', 'lines', 'lost', 'p50', 'p95', 'p99', 'max'],
    rows: results.map((r) =>
      r.latency
        ? [r.label, r.received, r.lost, fmt(r.latency.p50), fmt(r.latency.p95), fmt(r.latency.p99), fmt(r.latency.max)]
        : [r.label, r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error}`, '', '', '', '', ''],
    ),
  };
  return { params: { rate, seconds, warmupLines: warm, pollIntervalMs: 500 }, results, tables: [table] };
}

async function measure(ctx, config, { rate, count, warm }) {
  const tmux = await startTmux({ height: 120 });
  let server;
  let client;
  try {
    server = await startServer({
      runtime: config.runtime,
      args: ['serve', '--port', '0', '-L', tmux.socket, '--source', config.source, '--poll-interval', '500', '--quiet'],
      env: { TMUX_MONITOR_SECRET: ctx.secret },
    });
    client = await connectClient(server.url, ctx.token, { types: ['pane.output'] });
    await waitForSource(client);
    const seen = new Map();
    const pattern = /L(\d+) T(\d+\.\d+)/g;
    client.on((message, at) => {
      if (message.type !== 'pane.output') return;
      for (const m of message.data.content.matchAll(pattern)) {
        const n = Number(m[1]);
        if (!seen.has(n)) seen.set(n, at - Number(m[2]));
      }
    });
    const total = count + warm;
    await tmux.tmux('respawn-pane', '-k', '-t', `${tmux.session}:0.0`, `${process.execPath} ${PRINTER} ${rate} ${total} 300`);
    const deadline = now() + 300 + (total / rate) * 1000 + 5000;
    while (now() < deadline && !seen.has(total - 1)) await sleep(50);
    await sleep(config.source === 'poll' ? 700 : 100); // late stragglers
    const samples = [];
    for (const [n, ms] of seen) if (n >= warm) samples.push(ms);
    return { lines: count, received: samples.length, lost: count - samples.length, latency: summarize(samples) };
  } finally {
    await client?.close();
    await server?.stop();
    await tmux.kill();
  }
}

/**
 * 6. The NATS JetStream bus (docs/scaling.md), in the same run as the in-memory path:
 *   a. pane output → client latency through `agent` + nats-server + `serve --nats`,
 *      beside `serve` reading tmux itself (in memory), at the same 100 lines/s;
 *   b. the events per second one agent publishes (events on its stdin, as fast as the
 *      bus takes them, counted at a client of `serve --nats`);
 *   c. fan-out: one agent's events to many clients through one `serve --nats` instance
 *      and through two (clients split between them).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { now, sleep } from '../lib/clock.mjs';
import { connectClient } from '../lib/client.mjs';
import { startNats } from '../lib/nats.mjs';
import { BUNDLE, ROOT, startServer, stopProcess, track } from '../lib/proc.mjs';
import { summarize } from '../lib/stats.mjs';
import { fmt } from '../lib/table.mjs';
import { startTmux } from '../lib/tmux.mjs';
import { waitForSource } from './common.mjs';

export const title = 'NATS JetStream bus beside the in-memory path';

const PRINTER = join(ROOT, 'bench', 'servers', 'pane-printer.mjs');
const LINE = /L(\d+) T(\d+\.\d+)/g;

export async function run(ctx) {
  const quick = ctx.quick;
  const rate = quick ? 50 : 100;
  const seconds = quick ? 0.5 : 8;
  const warm = Math.round(rate / 2);
  const latency = [];
  for (const path of ['memory', 'bus']) {
    ctx.log(`  latency, ${path}: ${rate} lines/s for ${seconds} s`);
    try {
      latency.push({ path, ...(await measureLatency(ctx, path, { rate, count: Math.round(rate * seconds), warm })) });
    } catch (error) {
      latency.push({ path, error: String(error.message ?? error) });
    }
  }
  const burst = quick ? 500 : 20_000;
  ctx.log(`  one agent publishing ${burst} events as fast as it can`);
  let throughput;
  try {
    throughput = await measureThroughput(ctx, burst);
  } catch (error) {
    throughput = { error: String(error.message ?? error) };
  }
  const clients = quick ? 4 : 100;
  const fanRate = quick ? 50 : 200;
  const fanSeconds = quick ? 0.5 : 5;
  const fanout = [];
  for (const instances of [1, 2]) {
    ctx.log(`  fan-out: ${clients} clients on ${instances} serve instance(s), ${fanRate} events/s for ${fanSeconds} s`);
    try {
      fanout.push({ instances, ...(await measureFanout(ctx, { instances, clients, rate: fanRate, seconds: fanSeconds })) });
    } catch (error) {
      fanout.push({ instances, error: String(error.message ?? error) });
    }
  }

  const label = { memory: 'in memory (serve reads tmux)', bus: 'NATS (agent → nats-server → serve --nats)' };
  const tables = [
    {
      title: `${title}: pane output → client (${rate} lines/s, ${seconds} s, ms)`,
      columns: ['path', 'lines', 'lost', 'p50', 'p95', 'p99', 'max'],
      rows: latency.map((r) =>
        r.latency
          ? [label[r.path], r.received, r.lost, fmt(r.latency.p50), fmt(r.latency.p95), fmt(r.latency.p99), fmt(r.latency.max)]
          : [label[r.path], `error: ${r.error}`, '', '', '', '', ''],
      ),
    },
    {
      title: `${title}: events one agent publishes (${burst} events, counted at a client)`,
      columns: ['events', 'seconds', 'events/s'],
      rows: [
        throughput.error
          ? [`error: ${throughput.error}`, '', '']
          : [throughput.events, fmt(throughput.seconds), Math.round(throughput.perSecond)],
      ],
    },
    {
      title: `${title}: fan-out through serve instances (${clients} clients, ${fanRate} events/s, ${fanSeconds} s, ms)`,
      columns: ['serve instances', 'delivered', 'expected', 'p50', 'p99', 'max'],
      rows: fanout.map((r) =>
        r.latency
          ? [r.instances, r.delivered, r.expected, fmt(r.latency.p50), fmt(r.latency.p99), fmt(r.latency.max)]
          : [r.instances, `error: ${r.error}`, '', '', '', ''],
      ),
    },
  ];
  return {
    params: { rate, seconds, warmupLines: warm, burst, clients, fanRate, fanSeconds },
    results: { latency, throughput, fanout },
    tables,
  };
}

/** `agent` as a child process; resolves once it says it is publishing. */
function startAgent(args, { stdin = false } = {}) {
  const child = spawn(process.execPath, [BUNDLE, 'agent', ...args], {
    cwd: ROOT,
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMUX: '', TMUX_PANE: '' },
  });
  track(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start: ${out.slice(-400)}`)), 15_000);
    const onData = (d) => {
      out += d.toString();
      if (!/publishing to/.test(out)) return;
      clearTimeout(timer);
      resolve({ child, stop: () => stopProcess(child) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d.toString()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`agent exited (${code}): ${out.slice(-400)}`))));
  });
}

const serveBus = (ctx, nats) =>
  startServer({
    args: ['serve', '--port', '0', '--nats', nats.url, '--quiet'],
    env: { TMUX_MONITOR_SECRET: ctx.secret },
    label: 'serve --nats',
  });

async function measureLatency(ctx, path, { rate, count, warm }) {
  const tmux = await startTmux({ height: 120 });
  const stops = [];
  let client;
  try {
    let server;
    if (path === 'memory') {
      server = await startServer({
        args: ['serve', '--port', '0', '-L', tmux.socket, '--quiet'],
        env: { TMUX_MONITOR_SECRET: ctx.secret },
      });
    } else {
      const nats = await startNats();
      stops.push(() => nats.stop());
      const agent = await startAgent(['--nats', nats.url, '--host', 'bench-a', '-L', tmux.socket, '--quiet']);
      stops.unshift(() => agent.stop());
      server = await serveBus(ctx, nats);
    }
    stops.unshift(() => server.stop());
    client = await connectClient(server.url, ctx.token, { types: ['pane.output'] });
    await waitForSource(client);
    const seen = new Map();
    client.on((message, at) => {
      if (message.type !== 'pane.output') return;
      for (const m of message.data.content.matchAll(LINE)) if (!seen.has(Number(m[1]))) seen.set(Number(m[1]), at - Number(m[2]));
    });
    const total = count + warm;
    await tmux.tmux('respawn-pane', '-k', '-t', `${tmux.session}:0.0`, `${process.execPath} ${PRINTER} ${rate} ${total} 300`);
    const deadline = now() + 300 + (total / rate) * 1000 + 5000;
    while (now() < deadline && !seen.has(total - 1)) await sleep(50);
    await sleep(100);
    const samples = [];
    for (const [n, ms] of seen) if (n >= warm) samples.push(ms);
    return { lines: count, received: samples.length, lost: count - samples.length, latency: summarize(samples) };
  } finally {
    await client?.close();
    for (const stop of stops) await stop();
    await tmux.kill();
  }
}

const outputLine = (n) =>
  JSON.stringify({
    type: 'pane.output',
    session: 'bench',
    window: 0,
    pane: 0,
    pane_id: '%0',
    data: { content: `L${n} T${now().toFixed(3)}\n`, preview: '', severity: 'info', bytes: 24 },
  }) + '\n';

function write(child, text) {
  return new Promise((resolve) => (child.stdin.write(text) ? resolve() : child.stdin.once('drain', resolve)));
}

async function measureThroughput(ctx, events) {
  const nats = await startNats();
  let agent;
  let server;
  let client;
  try {
    agent = await startAgent(
      ['--nats', nats.url, '--host', 'bench-s', '--source', 'stdin', '--nats-queue', String(events * 2), '--quiet'],
      { stdin: true },
    );
    server = await serveBus(ctx, nats);
    client = await connectClient(server.url, ctx.token, { types: ['pane.output'] });
    let received = 0;
    let last = 0;
    client.on((message, at) => {
      if (message.type === 'pane.output') received++, (last = at);
    });
    const started = now();
    for (let i = 0; i < events; i += 500) {
      let chunk = '';
      for (let n = i; n < Math.min(events, i + 500); n++) chunk += outputLine(n);
      await write(agent.child, chunk);
    }
    const deadline = now() + 60_000;
    while (received < events && now() < deadline) await sleep(20);
    const seconds = ((received < events ? now() : last) - started) / 1000;
    return { events: received, seconds, perSecond: received / seconds };
  } finally {
    await client?.close();
    await server?.stop();
    await agent?.stop();
    await nats.stop();
  }
}

async function measureFanout(ctx, { instances, clients, rate, seconds }) {
  const nats = await startNats();
  let agent;
  const servers = [];
  const conns = [];
  try {
    agent = await startAgent(['--nats', nats.url, '--host', 'bench-f', '--source', 'stdin', '--quiet'], { stdin: true });
    for (let i = 0; i < instances; i++) servers.push(await serveBus(ctx, nats));
    for (let i = 0; i < clients; i++) conns.push(await connectClient(servers[i % instances].url, ctx.token, { types: ['pane.output'] }));
    const samples = [];
    let delivered = 0;
    for (const c of conns) {
      c.on((message, at) => {
        if (message.type !== 'pane.output') return;
        for (const m of message.data.content.matchAll(LINE)) delivered++, samples.push(at - Number(m[2]));
      });
    }
    const total = Math.round(rate * seconds);
    const start = now();
    for (let n = 0; n < total; n++) {
      const due = start + (n * 1000) / rate;
      if (due > now()) await sleep(due - now());
      await write(agent.child, outputLine(n));
    }
    const expected = total * clients;
    const deadline = now() + 15_000;
    while (delivered < expected && now() < deadline) await sleep(50);
    return { expected, delivered, latency: summarize(samples) };
  } finally {
    await Promise.all(conns.map((c) => c.close()));
    for (const s of servers) await s.stop();
    await agent?.stop();
    await nats.stop();
  }
}

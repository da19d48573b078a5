/**
 * The tmux-monitor server for the fan-out benchmark: `createMonitor()` with an in-memory
 * source, served by the runtime it runs on (Node, Bun or Deno, as the CLI does), plus
 * `GET /bench/emit?rate=&seconds=&size=` that drives the workload and answers when done.
 * Built into dist/bench/fanout-server.mjs by bench/run.mjs. Prints the CLI's listening line.
 *
 * Env: TMUX_MONITOR_SECRET (HS256 secret), BENCH_MAX_CONNECTIONS (default 20000).
 */
import process from 'node:process';
import { Hono } from 'hono';
import { createMonitor, type Monitor } from '../../src/monitor.ts';
import { createMemorySource } from '../../src/hub/memory-source.ts';
import { loadRuntimeServer } from '../../src/runtime/server.ts';
import { benchNow, emitLoad, makeEvent, parseLoad } from './load.ts';

const secret = process.env.TMUX_MONITOR_SECRET;
if (!secret) throw new Error('TMUX_MONITOR_SECRET is not set');
const source = createMemorySource();
const runtime = await loadRuntimeServer();
let monitor: Monitor | undefined;

const server = await runtime.serve(
  (kit) => {
    monitor = createMonitor({
      websocket: kit,
      source,
      auth: { secret },
      maxConnections: Number(process.env.BENCH_MAX_CONNECTIONS ?? 20_000),
      dashboard: false,
      log: (level, message, fields) => {
        if (level === 'warn' || level === 'error') console.error(JSON.stringify({ level, message, ...fields }));
      },
    });
    const app = new Hono();
    app.get('/bench/emit', async (c) =>
      c.json(
        await emitLoad(
          parseLoad((n) => c.req.query(n)),
          (events) => source.push(...events),
        ),
      ),
    );
    app.get('/bench/clock', (c) => c.json({ now: benchNow() }));
    app.get('/bench/info', (c) =>
      c.json({
        runtime: runtime.name,
        pid: process.pid,
        eventBytes: JSON.stringify({ ...makeEvent(0, Date.now(), 200), seq: 1, timestamp: new Date().toISOString() }).length,
      }),
    );
    app.route('/', monitor);
    return app;
  },
  { host: '127.0.0.1', port: 0, maxFrameBytes: 64 * 1024, heartbeatMs: 25_000, heartbeatTimeoutMs: 10_000 },
);
console.log(`tmux-monitor listening on ws://127.0.0.1:${server.port}/monitor`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    setTimeout(() => process.exit(0), 1000);
    void monitor?.shutdown().finally(() => server.close().finally(() => process.exit(0)));
  });
}

/**
 * The server under soak: the real tmux source on a private tmux server, served by Node as
 * the CLI serves it, plus `GET /soak/stats` with what the soak reports over time — RSS,
 * heap, open file descriptors and event-loop delay (p50/p99/max since the last read).
 * Built into dist/bench/soak-server.mjs by bench/soak/run.mjs.
 *
 * Env: TMUX_MONITOR_SECRET, SOAK_TMUX_SOCKET (tmux -L name), SOAK_SEND_BUFFER (bytes).
 */
import { readdirSync } from 'node:fs';
import process from 'node:process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Hono } from 'hono';
import { createMonitor, type Monitor } from '../../src/monitor.ts';
import { createTmuxSource } from '../../src/tmux/index.ts';
import { nodeServer } from '../../src/runtime/node.ts';

const secret = process.env.TMUX_MONITOR_SECRET;
const socketName = process.env.SOAK_TMUX_SOCKET;
if (!secret || !socketName) throw new Error('TMUX_MONITOR_SECRET and SOAK_TMUX_SOCKET must be set');

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const source = createTmuxSource({ socketName });
let monitor: Monitor | undefined;

const server = await nodeServer.serve(
  (kit) => {
    monitor = createMonitor({
      websocket: kit,
      source,
      auth: { secret },
      dashboard: false,
      sendBufferLimit: Number(process.env.SOAK_SEND_BUFFER ?? 1024 * 1024),
      // The soak's flooders fail auth on purpose; do not let them lock out the other clients.
      failedAuth: { limit: 1_000_000, windowMs: 60_000 },
      log: (level, message, fields) => {
        if (level === 'error') console.error(JSON.stringify({ level, message, ...fields }));
      },
    });
    const app = new Hono();
    app.get('/soak/stats', (c) => {
      const memory = process.memoryUsage();
      const stats = {
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        fds: readdirSync('/proc/self/fd').length,
        loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        clients: monitor!.hub.connectionCount,
        seq: monitor!.hub.eventLog.last,
        epoch: monitor!.hub.epoch,
        source: source.state,
        slowConsumerCloses: monitor!.hub.metrics.slowConsumerCloses,
        eventsDropped: monitor!.hub.metrics.eventsDropped,
      };
      loop.reset();
      return c.json(stats);
    });
    app.route('/', monitor);
    return app;
  },
  { host: '127.0.0.1', port: 0, maxFrameBytes: 64 * 1024, heartbeatMs: 25_000, heartbeatTimeoutMs: 10_000 },
);
console.log(`tmux-monitor listening on ws://127.0.0.1:${server.port}/monitor`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    setTimeout(() => process.exit(0), 2000).unref();
    void monitor?.shutdown().finally(() => server.close().finally(() => process.exit(0)));
  });
}

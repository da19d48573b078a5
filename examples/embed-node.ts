/**
 * tmux-monitor inside your own Node app: a Hono app with its own routes, and the monitor
 * mounted under /tmux (WebSocket at ws://HOST:PORT/tmux/monitor, dashboard at /tmux/).
 *
 *   npm install tmux-monitor hono @hono/node-server
 *   TMUX_MONITOR_SECRET=change-me node embed-node.js      (compiled; see docs/embedding.md)
 *
 * Environment: PORT (default 3000), TMUX_MONITOR_SECRET (the HS256 secret tokens are
 * signed with), TMUX_SOCKET_NAME (watch `tmux -L NAME` instead of the default server).
 */
import process from 'node:process';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createMonitor, createNodeWebSocket, createTmuxSource, signToken } from 'tmux-monitor';

const secret = process.env.TMUX_MONITOR_SECRET ?? crypto.randomUUID();
const app = new Hono();

// Your own routes.
app.get('/', (c) => c.text('my app'));
app.get('/api/hello', (c) => c.json({ hello: 'world' }));

// Node's WebSocket kit: the upgrade, the 64 KiB frame limit (1009) and the heartbeat (25 s ping).
const ws = createNodeWebSocket();

const monitor = createMonitor({
  websocket: ws,
  source: createTmuxSource({ socketName: process.env.TMUX_SOCKET_NAME }),
  auth: { secret },
});
app.route('/tmux', monitor);

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, async ({ port }) => {
  console.log(`listening on http://127.0.0.1:${port}/ (monitor: ws://127.0.0.1:${port}/tmux/monitor)`);
  console.log(`admin token: ${await signToken(secret, { sub: 'admin', role: 'admin', ttlSec: 3600 })}`);
});
// WebSocket upgrades go through the app (the monitor's route decides), then to the kit.
ws.attach(server, app.fetch);

// Graceful shutdown: clients get 1001 ("reconnect and resume").
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    ws.stop();
    await monitor.shutdown();
    server.close();
    process.exit(0);
  });
}

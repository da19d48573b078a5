/**
 * tmux-monitor inside a Node app that already uses Hono's own WebSocket helper
 * (@hono/node-ws): the monitor mounted under /tmux with that helper's `upgradeWebSocket`
 * (WebSocket at ws://HOST:PORT/tmux/monitor, dashboard at /tmux/), beside the app's routes.
 *
 *   npm install tmux-monitor hono @hono/node-server @hono/node-ws
 *   TMUX_MONITOR_SECRET=change-me node embed-hono-node.js      (compiled; see docs/embedding.md)
 *
 * This is the generic path: no corked writes per turn, and back-pressure only as far as the
 * raw socket reports it (docs/embedding.md). `createNodeWebSocket` of tmux-monitor
 * (examples/embed-node.ts) is the faster one.
 *
 * Environment: PORT (default 3000), TMUX_MONITOR_SECRET (the HS256 secret tokens are
 * signed with), TMUX_SOCKET_NAME (watch `tmux -L NAME` instead of the default server).
 */
import process from 'node:process';
import { serve } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import { createMonitor, createTmuxSource, signToken } from 'tmux-monitor';

const secret = process.env.TMUX_MONITOR_SECRET ?? crypto.randomUUID();
const app = new Hono();

// Your own routes, including your own WebSockets through the same helper.
app.get('/', (c) => c.text('my app'));
app.get('/api/hello', (c) => c.json({ hello: 'world' }));
const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
app.get(
  '/echo',
  upgradeWebSocket(() => ({ onMessage: (event, ws) => ws.send(String(event.data)) })),
);

const monitor = createMonitor({
  upgradeWebSocket,
  source: createTmuxSource({ socketName: process.env.TMUX_SOCKET_NAME }),
  auth: { secret },
});
app.route('/tmux', monitor);

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, async ({ port }) => {
  console.log(`listening on http://127.0.0.1:${port}/ (monitor: ws://127.0.0.1:${port}/tmux/monitor)`);
  console.log(`admin token: ${await signToken(secret, { sub: 'admin', role: 'admin', ttlSec: 3600 })}`);
});
injectWebSocket(server);

// Graceful shutdown: clients get 1001 ("reconnect and resume").
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await monitor.shutdown();
    server.close();
    process.exit(0);
  });
}

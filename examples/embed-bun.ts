/**
 * tmux-monitor inside your own Bun app: a Hono app with its own routes, and the monitor
 * mounted under /tmux (WebSocket at ws://HOST:PORT/tmux/monitor, dashboard at /tmux/).
 *
 *   bun add tmux-monitor hono
 *   TMUX_MONITOR_SECRET=change-me bun embed-bun.ts
 *
 * Environment: PORT (default 3000), TMUX_MONITOR_SECRET (the HS256 secret tokens are
 * signed with), TMUX_SOCKET_NAME (watch `tmux -L NAME` instead of the default server).
 */
import process from 'node:process';
import { Hono } from 'hono';
import { createBunWebSocket, createMonitor, createTmuxSource, signToken } from 'tmux-monitor';

const secret = process.env.TMUX_MONITOR_SECRET ?? crypto.randomUUID();
const app = new Hono();

// Your own routes.
app.get('/', (c) => c.text('my app'));
app.get('/api/hello', (c) => c.json({ hello: 'world' }));

// Bun's WebSocket upgrade, the 64 KiB frame limit (1009) and the heartbeat (25 s ping).
const ws = createBunWebSocket();

const monitor = createMonitor({
  websocket: ws,
  source: createTmuxSource({ socketName: process.env.TMUX_SOCKET_NAME }),
  auth: { secret },
});
app.route('/tmux', monitor);

// Bun's server needs the `websocket` handler next to `fetch`.
const server = Bun.serve({ fetch: app.fetch, websocket: ws.websocket, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
console.log(`listening on http://127.0.0.1:${server.port}/ (monitor: ws://127.0.0.1:${server.port}/tmux/monitor)`);
console.log(`admin token: ${await signToken(secret, { sub: 'admin', role: 'admin', ttlSec: 3600 })}`);

// Graceful shutdown: clients get 1001 ("reconnect and resume").
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    ws.stop();
    await monitor.shutdown();
    await server.stop();
    process.exit(0);
  });
}

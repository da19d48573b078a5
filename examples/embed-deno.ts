/**
 * tmux-monitor inside your own Deno app: a Hono app with its own routes, and the monitor
 * mounted under /tmux (WebSocket at ws://HOST:PORT/tmux/monitor, dashboard at /tmux/).
 *
 *   TMUX_MONITOR_SECRET=change-me deno run -A embed-deno.ts
 *   (imports: "tmux-monitor" and "hono" from npm, see this repository's deno.json)
 *
 * Environment: PORT (default 3000), TMUX_MONITOR_SECRET (the HS256 secret tokens are
 * signed with), TMUX_SOCKET_NAME (watch `tmux -L NAME` instead of the default server).
 */
import { Hono } from 'hono';
import { createDenoWebSocket, createMonitor, createTmuxSource, signToken } from 'tmux-monitor';

const secret = Deno.env.get('TMUX_MONITOR_SECRET') ?? crypto.randomUUID();
const app = new Hono();

// Your own routes.
app.get('/', (c) => c.text('my app'));
app.get('/api/hello', (c) => c.json({ hello: 'world' }));

const monitor = createMonitor({
  // Deno's WebSocket kit: the upgrade, Deno's idle-timeout heartbeat and the peer address;
  // the 64 KiB frame limit (1009) is enforced by the monitor itself.
  websocket: createDenoWebSocket(),
  source: createTmuxSource({ socketName: Deno.env.get('TMUX_SOCKET_NAME') }),
  auth: { secret },
});
app.route('/tmux', monitor);

const server = Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 3000),
    onListen: async ({ port }) => {
      console.log(`listening on http://127.0.0.1:${port}/ (monitor: ws://127.0.0.1:${port}/tmux/monitor)`);
      console.log(`admin token: ${await signToken(secret, { sub: 'admin', role: 'admin', ttlSec: 3600 })}`);
    },
  },
  app.fetch,
);

// Graceful shutdown: clients get 1001 ("reconnect and resume").
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, async () => {
    await monitor.shutdown();
    await Promise.race([server.shutdown(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    Deno.exit(0);
  });
}

/**
 * Deno's own test runner (`deno task test`): the monitor embedded in a host Hono app under
 * /tmux next to the host's routes, served by Deno.serve, with Deno's WebSocket client.
 * (vitest runs this file too, through `deno test`: test/runtime/embed.test.ts.)
 */
import { Hono } from 'hono';
import { upgradeWebSocket } from 'hono/deno';
import { createDenoWebSocket, createMemorySource, createMonitor, signToken } from 'tmux-monitor';

/** The part of Deno's API used here (typed locally: tsc checks this file too, without Deno's types). */
interface DenoApi {
  test(definition: { name: string; sanitizeOps: boolean; sanitizeResources: boolean; fn(): Promise<void> }): void;
  serve(
    options: { hostname: string; port: number; onListen(): void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}
const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Messages of a client socket, awaited one by one with a timeout. */
function inbox(socket: WebSocket) {
  const queue: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  const closed = new Promise<CloseEvent>((resolve) => socket.addEventListener('close', resolve));
  socket.addEventListener('message', (event) => {
    queue.push(JSON.parse(event.data as string));
    wake?.();
  });
  return {
    closed,
    async next(type: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = queue.findIndex((m) => m.type === type);
        if (index >= 0) return queue.splice(0, index + 1).pop()!;
        if (Date.now() > deadline) throw new Error(`no ${type}; got ${JSON.stringify(queue)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

deno.test({
  name: 'a host app serves its routes and the monitor under /tmux',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const secret = 'deno-embed-secret';
    const source = createMemorySource();
    const app = new Hono();
    app.get('/api/hello', (c) => c.json({ hello: 'host' }));
    const monitor = createMonitor({ websocket: createDenoWebSocket(), source, auth: { secret }, log: () => {} });
    app.route('/tmux', monitor);
    const server = deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, app.fetch);
    const base = `127.0.0.1:${server.addr.port}`;
    try {
      assert((await (await fetch(`http://${base}/api/hello`)).json()).hello === 'host', 'host route');
      assert((await (await fetch(`http://${base}/tmux/health`)).json()).status === 'ok', 'monitor health');

      const socket = new WebSocket(`ws://${base}/tmux/monitor`);
      const messages = inbox(socket);
      const hello = await messages.next('connection.established');
      assert(hello.auth_required === true, 'auth required');
      socket.send(JSON.stringify({ action: 'auth', token: await signToken(secret, { sub: 'deno', role: 'admin', ttlSec: 600 }) }));
      assert((await messages.next('auth.response')).subject === 'deno', 'auth.response');
      socket.send(JSON.stringify({ action: 'subscribe', filters: { types: ['agent.status'] } }));
      await messages.next('subscription.confirmed');
      source.push({
        type: 'agent.status',
        session: 'd',
        data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 'test' },
      });
      assert((await messages.next('agent.status')).session === 'd', 'event delivered');

      await monitor.shutdown();
      assert((await messages.closed).code === 1001, 'closed with 1001 on shutdown');
    } finally {
      await server.shutdown();
    }
  },
});

deno.test({
  name: "the monitor mounted with Hono's own upgradeWebSocket (hono/deno)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const secret = 'deno-hono-helper-secret';
    const source = createMemorySource();
    const app = new Hono();
    app.get('/api/hello', (c) => c.json({ hello: 'host' }));
    const monitor = createMonitor({ upgradeWebSocket, source, auth: { secret }, log: () => {} });
    app.route('/tmux', monitor);
    const server = deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, app.fetch);
    const base = `127.0.0.1:${server.addr.port}`;
    try {
      assert((await (await fetch(`http://${base}/api/hello`)).json()).hello === 'host', 'host route');

      const socket = new WebSocket(`ws://${base}/tmux/monitor`);
      const messages = inbox(socket);
      await messages.next('connection.established');
      socket.send(JSON.stringify({ action: 'auth', token: await signToken(secret, { sub: 'deno', role: 'admin', ttlSec: 600 }) }));
      assert((await messages.next('auth.response')).subject === 'deno', 'auth.response');
      socket.send(JSON.stringify({ action: 'subscribe', filters: { types: ['agent.status'] } }));
      await messages.next('subscription.confirmed');
      const data = { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 'test' } as const;
      source.push({ type: 'agent.status', session: 'd', data });
      assert((await messages.next('agent.status')).session === 'd', 'event delivered');
      // A binary frame reaches the monitor as one (not a Blob) and is refused with its error.
      socket.send(new TextEncoder().encode('{"action":"ping"}'));
      assert((await messages.next('error')).code === 'INVALID_MESSAGE', 'binary frame refused');

      const big = new WebSocket(`ws://${base}/tmux/monitor`);
      const bigMessages = inbox(big);
      await bigMessages.next('connection.established');
      big.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(70 * 1024) }));
      assert((await bigMessages.closed).code === 1009, 'oversized frame closed with 1009');

      await monitor.shutdown();
      assert((await messages.closed).code === 1001, 'closed with 1001 on shutdown');
    } finally {
      await server.shutdown();
    }
  },
});

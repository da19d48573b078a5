/**
 * The Node kit hands the app a light Request for each WebSocket upgrade (method, URL and
 * headers read from Node's parsed request; a real Request made only when asked for more).
 * A host's middleware sees what it would see with a real one.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createMemorySource } from '../../src/hub/memory-source.ts';
import { createMonitor } from '../../src/monitor.ts';
import { createNodeWebSocket } from '../../src/runtime/node-websocket.ts';

interface Seen {
  probe: string | undefined;
  all: Record<string, string>;
  isRequest: boolean;
  signal: boolean;
  iterated: [string, string][];
  path: string;
}

let seen: Seen | undefined;
let server: ReturnType<typeof serve>;
let port = 0;

beforeAll(async () => {
  const ws = createNodeWebSocket();
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (c.req.header('upgrade')) {
      seen = {
        probe: c.req.header('x-probe'),
        all: c.req.header(),
        isRequest: c.req.raw instanceof Request,
        signal: c.req.raw.signal instanceof AbortSignal,
        iterated: [...c.req.raw.headers].filter(([name]) => name === 'x-probe'),
        path: c.req.path,
      };
    }
    await next();
  });
  app.route('/tmux', createMonitor({ websocket: ws, source: createMemorySource(), auth: false, dashboard: false }));
  server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      port = info.port;
      resolve(s);
    });
  });
  ws.attach(server, app.fetch);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the upgrade request a Node host sees', () => {
  it('has the headers, the path, and the rest of a Request when asked', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/tmux/monitor`, { headers: { 'X-Probe': 'one' } });
    const first = await new Promise<{ type: string }>((resolve, reject) => {
      client.once('message', (data) => resolve(JSON.parse(String(data))));
      client.once('error', reject);
    });
    client.close();
    expect(first.type).toBe('connection.established');
    expect(seen).toMatchObject({
      probe: 'one',
      isRequest: true,
      signal: true,
      iterated: [['x-probe', 'one']],
      path: '/tmux/monitor',
    });
    expect(seen!.all['x-probe']).toBe('one');
    expect(seen!.all.upgrade?.toLowerCase()).toBe('websocket');
  });
});

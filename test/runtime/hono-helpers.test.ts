/**
 * The monitor mounted with Hono's own WebSocket helper (src/runtime/hono-websocket.ts): a
 * Node host app using @hono/node-ws's `createNodeWebSocket({ app })`, @hono/node-server's
 * `serve` and `injectWebSocket`, the monitor under /tmux beside a route of the host's,
 * watching a private tmux server; real `ws` clients and real JWTs.
 */
import { serve, type ServerType } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/signer.ts';
import { createMonitor, type Monitor } from '../../src/monitor.ts';
import { createMemorySource } from '../../src/hub/memory-source.ts';
import { createNodeWebSocket as createKit } from '../../src/runtime/node-websocket.ts';
import { honoWebSocketKit } from '../../src/runtime/hono-websocket.ts';
import { createTmuxSource } from '../../src/tmux/index.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { BUN, ROOT } from '../helpers/runtimes.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient } from '../helpers/ws-client.ts';

const secret = 'hono-helper-secret-' + crypto.randomUUID();
let tmux: TestTmux;
let monitor: Monitor;
let server: ServerType;
let port: number;
const clients: TestClient[] = [];

const url = () => `ws://127.0.0.1:${port}/tmux/monitor`;
const token = (role: 'admin' | 'viewer' = 'admin') => signToken(secret, { sub: 'hono-helper', role, ttlSec: 600 });
const authed = async () => {
  const client = await TestClient.authed(url(), await token());
  clients.push(client);
  return client;
};

beforeAll(async () => {
  tmux = await startTmux({ session: 'helper' });
  const app = new Hono();
  app.get('/api/hello', (c) => c.json({ hello: 'host' }));
  const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
  const source = createTmuxSource({ socketName: tmux.socketName });
  monitor = createMonitor({
    upgradeWebSocket,
    source,
    auth: { secret },
    log: () => {},
  });
  app.route('/tmux', monitor);
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      port = info.port;
      resolve();
    });
  });
  injectWebSocket(server);
  // Attached to the private tmux server before any test asks it for anything.
  await source.ready(20_000);
}, 30_000);

afterAll(async () => {
  for (const client of clients) client.ws.terminate();
  await monitor?.shutdown();
  await new Promise((resolve) => server?.close(resolve));
  await tmux?.kill();
});

describe('the monitor on @hono/node-ws (upgradeWebSocket)', () => {
  it('serves the host route beside it', async () => {
    expect(await (await fetch(`http://127.0.0.1:${port}/api/hello`)).json()).toEqual({ hello: 'host' });
    expect(await (await fetch(`http://127.0.0.1:${port}/tmux/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/tmux/monitor`)).status).toBe(426);
  });

  it('authenticates, snapshots the private tmux server and streams its events', async () => {
    const client = await authed();
    const reply = await client.request({ action: 'snapshot' });
    expect(reply.type).toBe('snapshot.acknowledged');
    const data = await client.next('snapshot.data');
    expect((data.data.sessions as SessionSnapshot[]).map((s) => s.name)).toContain('helper');
    const subscribed = await client.request({ action: 'subscribe', filters: { types: ['window.created'], sessions: ['helper'] } });
    expect(subscribed.type).toBe('subscription.confirmed');
    await tmux.tmux('new-window', '-d', '-t', 'helper', '-n', 'from-test');
    const created = await client.next((m) => m.type === 'window.created' && m.window_name === 'from-test');
    expect(created).toMatchObject({ session: 'helper' });
    expect(created.seq).toBeGreaterThan(0);
  });

  it('answers a bad frame with its error and keeps the connection', async () => {
    const client = await authed();
    client.send('not json');
    expect((await client.next('error')).code).toBe('INVALID_JSON');
    expect((await client.request({ action: 'no-such-thing', id: 'u' })).code).toBe('UNKNOWN_ACTION');
    // A binary frame reaches the monitor as one (an ArrayBuffer), which refuses it.
    client.ws.send(new TextEncoder().encode(JSON.stringify({ action: 'ping' })));
    expect((await client.next('error')).code).toBe('INVALID_MESSAGE');
    expect((await client.request({ action: 'ping' })).type).toBe('pong');
  });

  it('refuses a bad token', async () => {
    const client = await TestClient.connect(url());
    clients.push(client);
    await client.next('connection.established');
    const forged = await signToken('another-secret', { sub: 'x', role: 'admin', ttlSec: 600 });
    const reply = await client.request({ action: 'auth', token: forged });
    expect(reply).toMatchObject({ type: 'error', code: 'AUTH_FAILED' });
  });

  it('closes a frame over 64 KiB with 1009, and others carry on', async () => {
    const other = await authed();
    const big = await TestClient.connect(url());
    await big.next('connection.established');
    big.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(70 * 1024) }));
    expect((await big.closed).code).toBe(1009);
    const binary = await TestClient.connect(url());
    await binary.next('connection.established');
    binary.ws.send(new Uint8Array(70 * 1024));
    expect((await binary.closed).code).toBe(1009);
    expect((await other.request({ action: 'ping' })).type).toBe('pong');
  });

  it('closes its clients with 1001 on shutdown', async () => {
    const client = await authed();
    await monitor.shutdown();
    expect((await client.closed).code).toBe(1001);
  });
});

describe('honoWebSocketKit on @hono/node-ws', () => {
  it('drops a peer that does not answer its pings, and keeps one that does', async () => {
    const app = new Hono();
    const { upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app });
    const kit = honoWebSocketKit(upgradeWebSocket, { heartbeatMs: 200, heartbeatTimeoutMs: 100 });
    const local = createMonitor({ websocket: kit, source: createMemorySource(), auth: false, log: () => {} });
    app.route('/tmux', local);
    const host = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    injectWebSocket(host);
    const at = `ws://127.0.0.1:${(host.address() as AddressInfo).port}/tmux/monitor`;
    try {
      const answering = await TestClient.connect(at);
      const silent = await TestClient.connect(at, { autoPong: false });
      clients.push(answering, silent);
      expect((await silent.closed).code).toBe(1006);
      expect((await answering.request({ action: 'ping' })).type).toBe('pong');
    } finally {
      kit.stop();
      await local.shutdown();
      await new Promise((resolve) => host.close(resolve));
    }
  });
});

/** A Bun host with hono/bun's helper; each stdin line is an event for its memory source. */
const BUN_HOST = `
import { Hono } from 'hono';
import { upgradeWebSocket, websocket } from 'hono/bun';
import { createMemorySource, createMonitor } from '${ROOT}src/index.ts';
const source = createMemorySource();
const app = new Hono();
app.get('/api/hello', (c) => c.json({ hello: 'host' }));
const monitor = createMonitor({ upgradeWebSocket, source, auth: { secret: process.env.SECRET }, log: () => {} });
app.route('/tmux', monitor);
const server = Bun.serve({ fetch: app.fetch, websocket, hostname: '127.0.0.1', port: 0 });
let buffered = '';
process.stdin.on('data', (chunk) => {
  const lines = (buffered + chunk).split('\\n');
  buffered = lines.pop();
  for (const line of lines) if (line) source.push(JSON.parse(line));
});
process.once('SIGTERM', async () => { await monitor.shutdown(); server.stop(); process.exit(0); });
console.log('port ' + server.port);
`;

describe('the monitor on hono/bun (upgradeWebSocket)', () => {
  it('streams events, refuses binary and oversized frames, and closes with 1001', async () => {
    const child = spawn(BUN, ['-e', BUN_HOST], { cwd: ROOT, env: { ...process.env, SECRET: secret }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 20_000;
      while (!/port \d+\n/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bun host did not start\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const base = `127.0.0.1:${/port (\d+)/.exec(out)![1]}`;
      expect(await (await fetch(`http://${base}/api/hello`)).json()).toEqual({ hello: 'host' });
      const client = await TestClient.authed(`ws://${base}/tmux/monitor`, await token());
      clients.push(client);
      expect((await client.request({ action: 'subscribe', filters: { types: ['agent.status'] } })).type).toBe('subscription.confirmed');
      const data = { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 'test' };
      const event = { type: 'agent.status', session: 'b', data };
      child.stdin.write(JSON.stringify(event) + '\n');
      expect((await client.next('agent.status')).session).toBe('b');
      client.ws.send(new TextEncoder().encode(JSON.stringify({ action: 'ping' })));
      expect((await client.next('error')).code).toBe('INVALID_MESSAGE');
      const big = await TestClient.connect(`ws://${base}/tmux/monitor`);
      clients.push(big);
      await big.next('connection.established');
      big.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(70 * 1024) }));
      expect((await big.closed).code).toBe(1009);
      expect((await client.request({ action: 'ping' })).type).toBe('pong');
      child.kill('SIGTERM');
      expect((await client.closed).code).toBe(1001);
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});

describe('createMonitor', () => {
  it('takes exactly one of websocket and upgradeWebSocket', () => {
    const source = createMemorySource();
    const { upgradeWebSocket } = createNodeWebSocket({ app: new Hono() });
    const kit = createKit();
    expect(() => createMonitor({ source, auth: false })).toThrow(/pass `websocket`.*or `upgradeWebSocket`/);
    expect(() => createMonitor({ websocket: kit, upgradeWebSocket, source, auth: false })).toThrow(/not both/);
    kit.stop();
  });
});

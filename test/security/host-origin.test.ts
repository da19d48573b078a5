/**
 * Cross-site use of the server (issue 12, failure 4): with auth off only the server's own
 * origin (and listed origins) may connect from a browser, and every server answers only
 * Host names it knows, so a DNS-rebound name gets nothing. Refusals are audited.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { listFlag, parseFlags } from '../../src/cli/args.ts';
import { createHostCheck, normalizeHost, sameOrigin } from '../../src/security/host-check.ts';
import { startServer, type TestServer, type TestServerOptions } from '../helpers/server.ts';
import { TestClient } from '../helpers/ws-client.ts';
import type { MemorySource } from '../../src/hub/memory-source.ts';

/** A plain HTTP GET with a chosen Host header; resolves with the status. */
function get(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket with the given headers; resolves with 'open' or the HTTP status that refused it. */
function tryConnect(url: string, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (!String(error).includes('Unexpected server response')) reject(error);
    });
  });
}

const servers: TestServer[] = [];
const audit: Record<string, unknown>[] = [];
const serve = async (options: TestServerOptions<MemorySource> = {}) => {
  const server = await startServer({ audit: (r) => audit.push(r), ...options });
  servers.push(server);
  return server;
};
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  audit.length = 0;
});

describe('Host allow-list', () => {
  it('answers loopback names and IP literals, and nothing else', async () => {
    const { port } = await serve();
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `app.localhost:${port}`, `[::1]:${port}`, '10.0.0.7']) {
      expect(await get(port, '/health', { host }), host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, 'localhost.evil.example']) {
      expect(await get(port, '/health', { host }), host).toBe(421);
      expect(await get(port, '/', { host }), host).toBe(421);
    }
    expect(audit.filter((r) => r.event === 'rejected' && r.status === 421).length).toBeGreaterThanOrEqual(8);
    expect(audit.find((r) => r.status === 421)).toMatchObject({ remote: '127.0.0.1', code: 'MISDIRECTED' });
  });

  it('gives a DNS-rebound page no WebSocket, even with auth off', async () => {
    const server = await serve({ auth: false });
    const rebound = { host: `evil.example:${server.port}`, origin: `http://evil.example:${server.port}` };
    expect(await tryConnect(server.url, rebound)).toBe(421);
    expect(await tryConnect(server.origin, rebound)).toBe(421);
  });

  it('answers the names it is given (--public-host), and any with *', async () => {
    const named = await serve({ allowedHosts: ['tmux.example.com'] });
    expect(await get(named.port, '/health', { host: 'tmux.example.com' })).toBe(200);
    expect(await get(named.port, '/health', { host: 'tmux.example.com.:443' })).toBe(200);
    expect(await get(named.port, '/health', { host: 'other.example.com' })).toBe(421);
    const open = await serve({ allowedHosts: ['*'] });
    expect(await get(open.port, '/health', { host: 'anything.example' })).toBe(200);
  });

  it('parses hosts strictly', () => {
    expect(normalizeHost('Example.COM:8765')).toBe('example.com');
    expect(normalizeHost('[::1]:80')).toBe('::1');
    expect(normalizeHost('[::1]x')).toBeNull();
    expect(normalizeHost('a/b')).toBeNull();
    const check = createHostCheck(['box.lan']);
    expect([check('box.lan:1'), check('127.0.0.1'), check(undefined), check('box.lan.evil')]).toEqual([true, true, false, false]);
    const flags = parseFlags(
      ['--public-host', 'a', '--public-host=b,c'],
      [{ name: 'public-host', type: 'string', repeatable: true, help: '' }],
    );
    expect(listFlag(flags, 'public-host')).toEqual(['a', 'b', 'c']);
  });
});

describe('browser origins', () => {
  it('with --no-auth: only its own origin and the listed ones connect from a browser', async () => {
    const server = await serve({ auth: false, allowedOrigins: ['https://dash.example'] });
    const own = `http://127.0.0.1:${server.port}`;
    expect(await tryConnect(server.url, { origin: 'https://evil.example' })).toBe(403);
    expect(await tryConnect(server.url, { origin: `http://localhost:${server.port}` })).toBe(403);
    expect(await tryConnect(server.url, { origin: 'null' })).toBe(403);
    expect(await tryConnect(server.url, { origin: own })).toBe('open');
    expect(await tryConnect(server.url, { origin: 'https://dash.example' })).toBe('open');
    // Not a browser page (no Origin): a CLI or script.
    expect(await tryConnect(server.url, {})).toBe('open');
    const refused = audit.filter((r) => r.event === 'rejected' && r.status === 403);
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({ remote: '127.0.0.1', code: 'FORBIDDEN' });
    expect(JSON.stringify(refused)).toContain('evil.example');
  });

  it('with --no-auth and no list: its own origin only', async () => {
    const server = await serve({ auth: false });
    expect(await tryConnect(server.url, { origin: 'https://evil.example' })).toBe(403);
    expect(await tryConnect(server.url, { origin: `http://127.0.0.1:${server.port}` })).toBe('open');
  });

  it('with auth on: any origin may connect (tokens authorize), unless a list is given', async () => {
    const server = await serve();
    expect(await tryConnect(server.url, { origin: 'https://elsewhere.example' })).toBe('open');
    const listed = await serve({ allowedOrigins: ['https://dash.example'] });
    expect(await tryConnect(listed.url, { origin: 'https://elsewhere.example' })).toBe(403);
    expect(await tryConnect(listed.url, { origin: `http://127.0.0.1:${listed.port}` })).toBe('open');
  });

  it('compares origins as URLs', () => {
    expect(sameOrigin('http://127.0.0.1:80', '127.0.0.1')).toBe(true);
    expect(sameOrigin('https://box.lan', 'box.lan:443')).toBe(true);
    expect(sameOrigin('http://box.lan:8765', 'box.lan:8766')).toBe(false);
    expect(sameOrigin('file://', 'box.lan')).toBe(false);
  });
});

describe('audit of refusals', () => {
  it('records refused upgrades (503), blocked addresses and failed auth, never the token', async () => {
    const server = await serve({ maxConnections: 1, failedAuth: { limit: 1, windowMs: 60_000 } });
    const first = await TestClient.connect(server.url);
    expect(await tryConnect(server.url, {})).toBe(503);
    await first.next('connection.established');
    const bad = 'not.a.token-SECRET';
    first.send({ action: 'auth', token: bad });
    await first.closed;
    const blocked = await TestClient.connect(server.url);
    expect((await blocked.next('error')).code).toBe('RATE_LIMIT');
    await blocked.closed;
    const rejected = audit.filter((r) => r.event === 'rejected');
    expect(rejected.map((r) => r.code)).toEqual(expect.arrayContaining(['TOO_MANY_CONNECTIONS', 'AUTH_FAILED', 'RATE_LIMIT']));
    expect(rejected.every((r) => r.remote === '127.0.0.1')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('SECRET');
  });
});

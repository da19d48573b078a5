/**
 * Where the runtimes' WebSocket servers differ, and what our adapters (src/runtime/) do
 * about it, checked on Node, Bun and Deno with the single-file bundle:
 * a case-insensitive `Upgrade` header, the inbound frame limit, per-connection state
 * (Bun hands out a new context object per event), close codes reaching a client that is
 * still sending (Deno loses a pending close frame when a frame arrives after close()),
 * clients that vanish without a close frame (1006), and the heartbeat. Slow readers (4503, system.lagged) are covered on every
 * runtime by the protocol matrix (test/e2e/protocol.matrix.test.ts).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/signer.ts';
import type { RawEvent } from '../../src/protocol/events.ts';
import { BUNDLE_TARGETS } from '../helpers/runtimes.ts';
import { startServeProcess, type ServeProcess } from '../helpers/subprocess-server.ts';
import { TestClient } from '../helpers/ws-client.ts';

const HEARTBEAT_MS = 400;
const HEARTBEAT_TIMEOUT_MS = 400;
const MAX_FRAME = 64 * 1024;
const RATE_LIMIT = 20;

const status = (session: string, value: 'busy' | 'ready'): RawEvent => ({
  type: 'agent.status',
  session,
  window: 0,
  pane: 0,
  pane_id: '%0',
  data: { status: value, previous: value === 'busy' ? 'ready' : 'busy', agent_type: 'claude', reason: 'test' },
});

/** Polls /health until `test(clients)` holds. */
async function untilClients(server: ServeProcess, test: (n: number) => boolean, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { clients } = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as { clients: number };
    if (test(clients)) return clients;
    if (Date.now() > deadline) throw new Error(`/health still says ${clients} clients`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A WebSocket handshake by hand, with exactly the headers given; resolves with the status line and first bytes. */
function rawHandshake(port: number, path: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      const lines = Object.entries({
        Host: `127.0.0.1:${port}`,
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        ...headers,
      });
      socket.write(`GET ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    });
    let received = '';
    // A deadline, not a wait: every case ends on the bytes (or the close) below.
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within 3 s; got ${JSON.stringify(received.slice(0, 300))}`));
    }, 3000);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    socket.on('end', done);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('connection.established') || (received.includes('\r\n\r\n') && !received.startsWith('HTTP/1.1 101'))) done();
    });
    socket.on('error', reject);
  });
}

for (const target of BUNDLE_TARGETS) {
  describe(`websocket gaps on ${target.label}`, () => {
    const secret = 'gaps-secret';
    let server: ServeProcess;
    let admin: string;
    const clients: TestClient[] = [];
    const authed = async (claims = {}) => {
      const client = await TestClient.authed(server.url, await signToken(secret, { sub: 'gaps', role: 'admin', ttlSec: 600, ...claims }));
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      server = await startServeProcess(target, {
        env: { TMUX_MONITOR_SECRET: secret },
        flags: [
          '--heartbeat',
          String(HEARTBEAT_MS),
          '--heartbeat-timeout',
          String(HEARTBEAT_TIMEOUT_MS),
          '--max-connections',
          '500',
          '--rate-limit',
          String(RATE_LIMIT),
        ],
      });
      admin = await signToken(secret, { sub: 'gaps', role: 'admin', ttlSec: 600 });
    });
    afterAll(async () => {
      for (const client of clients) client.ws.terminate();
      const { code } = await server.stop();
      expect(code).toBe(0);
    });

    it('accepts the Upgrade header in any case, and a Connection list', async () => {
      for (const [path, upgrade, connection] of [
        ['/monitor', 'WebSocket', 'Upgrade'],
        ['/monitor', 'WEBSOCKET', 'keep-alive, Upgrade'],
        ['/', 'WebSocket', 'upgrade'],
      ] as const) {
        const reply = await rawHandshake(server.port, path, { Upgrade: upgrade, Connection: connection });
        expect(reply.split('\r\n')[0], `${path} Upgrade: ${upgrade}`).toBe('HTTP/1.1 101 Switching Protocols');
        expect(reply).toContain('connection.established');
      }
    });

    it(`takes a frame of exactly ${MAX_FRAME} bytes and closes one a byte over with 1009`, async () => {
      const client = await authed();
      const frame = (size: number) => {
        const head = '{"action":"ping","id":"big","pad":"';
        return head + 'x'.repeat(size - head.length - 2) + '"}';
      };
      expect(Buffer.byteLength(frame(MAX_FRAME))).toBe(MAX_FRAME);
      client.send(frame(MAX_FRAME));
      // Unknown key: an answer, and the connection stays open.
      expect(await client.next((m) => m.id === 'big')).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
      client.send(frame(MAX_FRAME + 1));
      expect((await client.closed).code).toBe(1009);
      expect((await (await authed()).request({ action: 'ping' })).type).toBe('pong');
    });

    it('keeps each connection’s state its own under concurrent traffic', async () => {
      const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
      const group = await Promise.all(
        names.map(async (name) => {
          const client = await authed({ sub: `user-${name}` });
          const hello = client.messages.find((m) => m.type === 'connection.established')!;
          const auth = client.messages.find((m) => m.type === 'auth.response')!;
          expect(auth.client_id).toBe(hello.client_id);
          expect(auth.subject).toBe(`user-${name}`);
          await client.request({ action: 'subscribe', filters: { sessions: [name] } });
          return { name, client, id: hello.client_id as string };
        }),
      );
      expect(new Set(group.map((g) => g.id)).size).toBe(group.length);
      // Interleave requests from all of them; each answer comes back to its sender.
      await Promise.all(
        group.map(async ({ name, client }) => {
          for (let i = 0; i < 5; i++) expect((await client.request({ action: 'ping', id: `${name}-${i}` })).id).toBe(`${name}-${i}`);
        }),
      );
      await server.write(...names.flatMap((name) => [status(name, 'busy'), status(name, 'ready')]));
      for (const { name, client } of group) {
        const events = await client.collect((m) => m.type === 'agent.status', 2);
        expect(events.map((e) => e.session)).toEqual([name, name]);
        expect(events.map((e) => e.data.status)).toEqual(['busy', 'ready']);
      }
    });

    it('gets the close code (4429) to clients that flood, though they are still sending', async () => {
      const flooders = await Promise.all(Array.from({ length: 10 }, () => authed()));
      for (const client of flooders) for (let i = 0; i < 6 * RATE_LIMIT; i++) client.send({ action: 'ping' });
      const codes = await Promise.all(flooders.map(async (client) => (await client.closed).code));
      expect(codes).toEqual(flooders.map(() => 4429));
    });

    it('survives clients that vanish without a close frame (1006), and forgets them', async () => {
      const watcher = await authed();
      await watcher.request({ action: 'subscribe', filters: {} });
      const before = await untilClients(server, () => true);
      let pushing = true;
      const pump = (async () => {
        for (let i = 0; pushing; i++) {
          await server.write(status('vanish', i % 2 ? 'busy' : 'ready'));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      for (let round = 0; round < 3; round++) {
        const doomed = await Promise.all(Array.from({ length: 10 }, () => TestClient.authed(server.url, admin)));
        await Promise.all(doomed.map((c) => c.request({ action: 'subscribe', filters: {} })));
        for (const client of doomed) client.ws.terminate();
      }
      pushing = false;
      await pump;
      await untilClients(server, (n) => n === before);
      expect((await watcher.request({ action: 'ping' })).type).toBe('pong');
      expect(server.child.exitCode).toBeNull();
      expect(server.stderr()).not.toMatch(/"level":"error"|Uncaught|TypeError|panicked/);
    });

    it('drops a client that stops answering pings, and keeps one that answers', async () => {
      const alive = await authed();
      const before = await untilClients(server, () => true);
      const silent = await authed();
      await untilClients(server, (n) => n === before + 1);
      // A paused socket reads nothing, so the client never sees the pings to answer them.
      (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const started = Date.now();
      await untilClients(server, (n) => n === before, 10_000);
      // Node and Bun: a ping every interval, dropped after the timeout; Deno: its idle timer.
      expect(Date.now() - started).toBeLessThan(3 * (HEARTBEAT_MS + HEARTBEAT_TIMEOUT_MS) + 1000);
      // The answering client has been pinged several times by now and is still here.
      expect(alive.closeCode).toBeUndefined();
      expect((await alive.request({ action: 'ping' })).type).toBe('pong');
    });
  });
}

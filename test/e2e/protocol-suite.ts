/**
 * The end-to-end protocol suite (docs/protocol.md), written once and run against a real
 * server per runtime: real WebSocket clients on loopback, real JWTs.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import type WebSocket from 'ws';
import type { RawEvent } from '../../src/protocol/events.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { TestClient, type Message } from '../helpers/ws-client.ts';
import type { Harness, StartHarness } from './harness.ts';

const output = (session: string, text: string, extra: Partial<RawEvent> = {}): RawEvent =>
  ({
    type: 'pane.output',
    session,
    session_id: `$${session}`,
    window: 0,
    window_name: 'main',
    window_id: '@0',
    pane: 0,
    pane_id: '%0',
    data: { content: text, preview: text.slice(-200), severity: 'info', bytes: text.length },
    ...extra,
  }) as RawEvent;

const status = (session: string, window: number, pane: number, paneId: string, value: 'busy' | 'ready'): RawEvent => ({
  type: 'agent.status',
  session,
  session_id: `$${session}`,
  window,
  window_name: `w${window}`,
  window_id: `@${window}`,
  pane,
  pane_id: paneId,
  data: { status: value, previous: value === 'busy' ? 'ready' : 'busy', agent_type: 'claude', reason: 'test' },
});

const SESSIONS: SessionSnapshot[] = ['alpha', 'beta'].map((name, i) => ({
  name,
  id: `$${i}`,
  attached: 0,
  created: new Date(0).toISOString(),
  windows: [
    {
      index: 0,
      id: `@${i}`,
      name: 'main',
      active: true,
      panes: [
        {
          index: 0,
          id: `%${i}`,
          pid: 100 + i,
          command: 'bash',
          title: '',
          path: '/tmp',
          dead: false,
          agent: { status: 'ready', agent_type: 'shell' },
          content: `hello from ${name}`,
        },
      ],
    },
  ],
}));

/** Live or replayed events (subscription.confirmed also has a `seq`, but no `data`). */
const isEvent = (m: Message) => typeof m.seq === 'number' && m.data !== undefined;

export function protocolSuite(runtime: string, start: StartHarness): void {
  describe(`protocol v1 on ${runtime}`, () => {
    let server: Harness;
    let admin: string;
    const clients: TestClient[] = [];
    const connect = async (url = server.url, options?: WebSocket.ClientOptions) => {
      const client = await TestClient.connect(url, options);
      clients.push(client);
      return client;
    };
    const authed = async (claims = {}) => {
      const client = await TestClient.authed(server.url, await server.token(claims));
      clients.push(client);
      return client;
    };
    const subscribe = async (client: TestClient, fields: Record<string, unknown> = {}) => {
      const reply = await client.request({ action: 'subscribe', ...fields });
      expect(reply.type).toBe('subscription.confirmed');
      return reply;
    };

    beforeAll(async () => {
      server = await start();
      await server.setSessions(SESSIONS);
      admin = await server.token();
    });
    afterAll(async () => {
      for (const client of clients) client.ws.terminate();
      await server?.close();
    });

    describe('connection and auth', () => {
      it('sends connection.established at once', async () => {
        const client = await connect();
        const hello = await client.next('connection.established');
        expect(hello).toMatchObject({ protocol: 1, auth_required: true, auth_timeout_ms: 10000 });
        expect(typeof hello.client_id).toBe('string');
        expect(typeof hello.epoch).toBe('string');
        expect(hello.server).toMatch(/^tmux-monitor/);
        expect(new Date(hello.timestamp).toString()).not.toBe('Invalid Date');
      });

      it('accepts path-less clients at /', async () => {
        const client = await connect(server.origin);
        await client.next('connection.established');
        client.send({ action: 'auth', token: admin });
        expect((await client.next('auth.response')).success).toBe(true);
      });

      it('answers auth with the principal', async () => {
        const client = await connect();
        const token = await server.token({ sub: 'alice', role: 'operator', sessions: ['proj-*'] });
        const reply = await client.request({ action: 'auth', token, id: 7 });
        expect(reply).toMatchObject({
          type: 'auth.response',
          id: 7,
          success: true,
          subject: 'alice',
          role: 'operator',
          sessions: ['proj-*'],
        });
        expect(reply.permissions.sort()).toEqual(['output', 'read', 'snapshot', 'subscribe', 'write']);
        expect(typeof reply.client_id).toBe('string');
        expect(Date.parse(reply.expires_at)).toBeGreaterThan(Date.now());
      });

      it('authenticates from the Authorization header of the upgrade', async () => {
        const client = await connect(server.url, { headers: { Authorization: `Bearer ${admin}` } });
        await client.next('connection.established');
        expect((await client.next('auth.response')).subject).toBe('test');
      });

      it('refuses actions before auth but answers ping', async () => {
        const client = await connect();
        const pong = await client.request({ action: 'ping', id: 'p1' });
        expect(pong.type).toBe('pong');
        expect(typeof pong.timestamp).toBe('string');
        const refused = await client.request({ action: 'subscribe', filters: {} });
        expect(refused).toMatchObject({ type: 'error', code: 'AUTH_REQUIRED' });
        expect(client.closeCode).toBeUndefined();
      });

      it('handles auth and subscribe sent back to back', async () => {
        const client = await connect();
        client.send({ action: 'auth', token: admin });
        client.send({ action: 'subscribe', filters: { types: ['agent.status'] } });
        await client.next('auth.response');
        await client.next('subscription.confirmed');
      });

      it('closes a forged token with AUTH_FAILED and 4401', async () => {
        const client = await connect();
        client.send({ action: 'auth', token: 'not-a-jwt' });
        expect((await client.next('error')).code).toBe('AUTH_FAILED');
        expect((await client.closed).code).toBe(4401);
      });
    });

    describe('bad input', () => {
      let client: TestClient;
      beforeAll(async () => {
        client = await authed();
      });

      it('answers malformed JSON with INVALID_JSON and stays open', async () => {
        client.send('{nope');
        expect((await client.next('error')).code).toBe('INVALID_JSON');
        expect((await client.request({ action: 'ping' })).type).toBe('pong');
      });

      it('answers unknown actions with UNKNOWN_ACTION', async () => {
        const reply = await client.request({ action: 'launch-missiles', id: 'x' });
        expect(reply).toMatchObject({ type: 'error', code: 'UNKNOWN_ACTION', id: 'x' });
      });

      it('answers wrong types and unknown keys with INVALID_MESSAGE naming the field', async () => {
        const wrongType = await client.request({ action: 'snapshot', lines: 'ten' });
        expect(wrongType.code).toBe('INVALID_MESSAGE');
        expect(JSON.stringify(wrongType.details)).toContain('lines');
        const unknownKey = await client.request({ action: 'ping', bogus: 1 });
        expect(unknownKey.code).toBe('INVALID_MESSAGE');
        expect(JSON.stringify(unknownKey.details)).toContain('bogus');
        const tooMany = await client.request({ action: 'snapshot', lines: 5000 });
        expect(tooMany.code).toBe('INVALID_MESSAGE');
      });

      it('answers non-objects and missing actions with INVALID_MESSAGE', async () => {
        client.send('[1,2,3]');
        expect((await client.next('error')).code).toBe('INVALID_MESSAGE');
        client.send('"hello"');
        expect((await client.next('error')).code).toBe('INVALID_MESSAGE');
        expect((await client.request({ token: 'x' })).code).toBe('INVALID_MESSAGE');
      });

      it('answers binary frames with INVALID_MESSAGE', async () => {
        client.ws.send(Buffer.from([1, 2, 3]));
        expect((await client.next('error')).code).toBe('INVALID_MESSAGE');
      });

      it('answers bad filters with INVALID_FILTER', async () => {
        expect((await client.request({ action: 'subscribe', filters: { types: 'agent.status' } })).code).toBe('INVALID_FILTER');
        expect((await client.request({ action: 'subscribe', filters: { sessions: [{ a: 1 }] } })).code).toBe('INVALID_FILTER');
        expect((await client.request({ action: 'subscribe', filters: { sessions: Array(500).fill('x') } })).code).toBe('INVALID_FILTER');
        expect((await client.request({ action: 'subscribe', filters: { typo: [] } })).code).toBe('INVALID_FILTER');
        expect((await client.request({ action: 'subscribe', filters: { types: ['not a type!'] } })).code).toBe('INVALID_FILTER');
        // Well-formed but unknown types are accepted, never match, and are listed back (v1.1).
        const unknown = await client.request({ action: 'subscribe', filters: { types: ['no.such', 'pane.command', 'agent.status'] } });
        expect(unknown).toMatchObject({ type: 'subscription.confirmed', unknown_types: ['no.such'] });
      });

      it('closes a frame over 64 KiB with 1009, and others carry on', async () => {
        const other = await authed();
        const big = await connect();
        await big.next('connection.established');
        big.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(70 * 1024) }));
        expect((await big.closed).code).toBe(1009);
        expect((await other.request({ action: 'ping' })).type).toBe('pong');
      });
    });

    describe('subscriptions and filters', () => {
      it('confirms with normalised filters and the current seq', async () => {
        const client = await authed();
        const reply = await subscribe(client, { filters: { types: ['agent.status', 'agent.status'] }, id: 's' });
        expect(reply.subscription).toBe('sub-1');
        expect(reply.subscriptions).toEqual(['sub-1']);
        expect(reply.filters.types).toEqual(['agent.status']);
        expect(typeof reply.seq).toBe('number');
        const second = await subscribe(client, { filters: { sessions: ['alpha'] } });
        expect(second.subscriptions).toEqual(['sub-1', 'sub-2']);
      });

      it('delivers events with seq, timestamp and location', async () => {
        const client = await authed();
        await subscribe(client, { filters: { types: ['agent.status'] } });
        await server.push(status('alpha', 1, 2, '%5', 'busy'));
        const event = await client.next('agent.status');
        expect(event).toMatchObject({
          session: 'alpha',
          window: 1,
          pane: 2,
          pane_id: '%5',
          data: { status: 'busy', previous: 'ready', agent_type: 'claude' },
        });
        expect(event.seq).toBeGreaterThan(0);
        expect(Date.parse(event.timestamp)).toBeGreaterThan(0);
      });

      it('ANDs across lists, ORs within, matches families, ids, names and targets', async () => {
        const cases: [Record<string, unknown>, string[]][] = [
          [{ types: ['agent.*'] }, ['a1', 'b1', 'b2']],
          [{ types: ['*'], sessions: ['alpha'] }, ['a1', 'aout', 'sys']],
          [{ sessions: ['$beta'] }, ['b1', 'b2', 'sys']],
          [{ types: ['agent.status'], sessions: ['alpha', 'beta'], windows: [1] }, ['a1', 'b1']],
          [{ types: ['agent.status'], windows: ['w2'] }, ['b2']],
          [{ types: ['agent.status'], windows: ['@2'] }, ['b2']],
          [{ types: ['agent.status'], panes: ['%7'] }, ['b1']],
          [{ types: ['agent.status'], panes: ['beta:2.0'] }, ['b2']],
          [{ types: ['agent.status'], panes: ['beta:w1.1'] }, ['b1']],
          [{ types: ['pane.output', 'system.source'] }, ['aout', 'sys']],
        ];
        const subscribers = await Promise.all(
          cases.map(async ([filters]) => {
            const client = await authed();
            await subscribe(client, { filters });
            return client;
          }),
        );
        const events: [string, RawEvent][] = [
          ['a1', status('alpha', 1, 0, '%1', 'busy')],
          ['b1', status('beta', 1, 1, '%7', 'busy')],
          ['b2', status('beta', 2, 0, '%8', 'busy')],
          ['aout', output('alpha', 'hi')],
          ['sys', { type: 'system.source', data: { state: 'connected', message: 'ok' } }],
        ];
        await server.push(...events.map(([, e]) => e), { type: 'system.source', data: { state: 'connected', message: 'end' } });
        const label = (m: Message) =>
          events.find(
            ([, e]) =>
              e.type === m.type &&
              e.pane_id === m.pane_id &&
              e.session === m.session &&
              (m.type !== 'system.source' || m.data.message === 'ok'),
          )?.[0];
        for (const [i, [filters, expected]] of cases.entries()) {
          const client = subscribers[i]!;
          // Wait for the last event this filter should let through.
          if (expected.includes('sys')) await client.next((m) => m.type === 'system.source' && m.data.message === 'end');
          else await client.next((m) => label(m) === expected[expected.length - 1]);
          const got = client.messages
            .filter(isEvent)
            .map(label)
            .filter((x) => x !== undefined);
          expect(got, JSON.stringify(filters)).toEqual(expected);
        }
      });

      it('delivers each event once even when subscriptions overlap, and unsubscribes', async () => {
        const client = await authed();
        const a = await subscribe(client, { filters: { types: ['agent.status'] } });
        await subscribe(client, { filters: { sessions: ['alpha'] } });
        await server.push(status('alpha', 0, 0, '%1', 'busy'));
        const first = await client.next('agent.status');
        const left = await client.request({ action: 'unsubscribe', subscription: a.subscription });
        expect(left).toMatchObject({ type: 'unsubscribe.confirmed', subscriptions: ['sub-2'] });
        expect((await client.request({ action: 'unsubscribe', subscription: 'sub-99' })).code).toBe('NOT_FOUND');
        const none = await client.request({ action: 'unsubscribe' });
        expect(none.subscriptions).toEqual([]);
        await server.push(status('alpha', 0, 0, '%1', 'ready'));
        // Resubscribe to something else and see only that from now on.
        await subscribe(client, { filters: { types: ['system.source'] } });
        await server.push({ type: 'system.source', data: { state: 'connected', message: 'after' } });
        await client.next('system.source');
        expect(client.messages.filter((m) => m.type === 'agent.status').map((m) => m.seq)).toEqual([first.seq]);
      });
    });

    describe('resume', () => {
      it('replays held events after since, then replay.complete, then live — no gap, no duplicate', async () => {
        const watcher = await authed();
        await subscribe(watcher, { filters: { types: ['pane.output'], sessions: ['resume'] } });
        await server.push(output('resume', 'r0'));
        const start = (await watcher.next('pane.output')).seq as number;
        for (let i = 1; i <= 20; i++) await server.push(output('resume', `r${i}`));
        await watcher.next((m) => m.data?.content === 'r20');

        // Keep events flowing while the resuming client subscribes. Capped: a server in
        // another process takes events more slowly than the pump can write them, and the
        // total must stay within the history (1000) for this and the next test.
        let pushing = true;
        let n = 21;
        const pump = (async () => {
          while (pushing && n < 300) {
            await server.push(output('resume', `r${n++}`));
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        const client = await authed();
        const confirmed = await subscribe(client, { filters: { types: ['pane.output'], sessions: ['resume'] }, since: start });
        const done = await client.next('replay.complete');
        pushing = false;
        await pump;
        await server.push(output('resume', 'last'));
        await client.next((m) => m.data?.content === 'last');

        expect(done).toMatchObject({ subscription: confirmed.subscription, from: start, complete: true });
        const seqs = client.messages.filter(isEvent).map((m) => m.seq as number);
        const replayed = client.messages.slice(0, client.messages.indexOf(done)).filter(isEvent);
        expect(done.count).toBe(replayed.length);
        expect(seqs[0]).toBe(start + 1);
        // Consecutive: every output event after `start` exactly once, in order.
        const outputs = await watcher
          .next((m) => m.data?.content === 'last')
          .then(() => watcher.messages.filter(isEvent).map((m) => m.seq as number));
        expect(seqs).toEqual(outputs.filter((s) => s > start));
      });

      it('says complete: false for a wrong epoch or events no longer held', async () => {
        const client = await authed();
        await server.push(output('gap', 'x'));
        const epoch = (client.messages[0] as Message).epoch;
        await subscribe(client, { filters: { sessions: ['gap'] }, since: 0, epoch: 'not-' + epoch });
        expect((await client.next('replay.complete')).complete).toBe(false);
        await subscribe(client, { filters: { sessions: ['gap'] }, since: 0, epoch });
        const ok = await client.next('replay.complete');
        expect(ok.complete).toBe(true);
      });

      it('says complete: false past the history size', async () => {
        const small = await start({ historySize: 5 });
        try {
          const token = await small.token();
          for (let i = 0; i < 10; i++) await small.push(output('h', `e${i}`));
          const client = await TestClient.authed(small.url, token);
          clients.push(client);
          // The pushes may still be in flight: wait until seq 10 is issued.
          for (;;) {
            const reply = await client.request({ action: 'subscribe', filters: { types: ['system.source'] } });
            if (reply.seq >= 10) break;
          }
          await client.request({ action: 'subscribe', filters: {}, since: 2 });
          const done = await client.next('replay.complete');
          expect(done).toMatchObject({ complete: false, count: 5 });
          await client.request({ action: 'subscribe', filters: {}, since: 5 });
          expect((await client.next('replay.complete')).complete).toBe(true);
        } finally {
          await small.close();
        }
      });
    });

    describe('snapshot and command', () => {
      it('acknowledges, then sends the tree', async () => {
        const client = await authed();
        const ack = await client.request({ action: 'snapshot', id: 'snap' });
        expect(ack).toMatchObject({ type: 'snapshot.acknowledged' });
        const data = await client.next('snapshot.data');
        expect(data.id).toBe('snap');
        expect(typeof data.data.seq).toBe('number');
        expect(data.data.sessions.map((s: SessionSnapshot) => s.name)).toEqual(['alpha', 'beta']);
        const pane = data.data.sessions[0].windows[0].panes[0];
        expect(pane).toMatchObject({ id: '%0', command: 'bash', agent: { status: 'ready', agent_type: 'shell' } });
        expect(pane.content).toBeUndefined();
      });

      it('includes content with lines, and answers NOT_FOUND for unknown targets', async () => {
        const client = await authed();
        await client.request({ action: 'snapshot', target: { session: 'beta' }, lines: 10, id: 'b' });
        const data = await client.next('snapshot.data');
        expect(data.data.sessions).toHaveLength(1);
        expect(data.data.sessions[0].windows[0].panes[0].content).toBe('hello from beta');
        expect((await client.request({ action: 'snapshot', target: { session: 'nope' } })).code).toBe('NOT_FOUND');
      });

      it('runs commands for operators and refuses viewers', async () => {
        const operator = await authed({ role: 'operator' });
        const ok = await operator.request({ action: 'command', target: { session: 'alpha', window: 0 }, command: 'send', text: 'hi' });
        expect(ok).toMatchObject({ type: 'command.result', success: true, command: 'send', target: { session: 'alpha', window: 0 } });
        const interrupt = await operator.request({
          action: 'command',
          target: { session: 'alpha', window: 0, pane: 0 },
          command: 'interrupt',
        });
        expect(interrupt.success).toBe(true);
        expect((await operator.request({ action: 'command', target: { session: 'nope', window: 0 }, command: 'interrupt' })).code).toBe(
          'NOT_FOUND',
        );
        const viewer = await authed({ role: 'viewer' });
        const refused = await viewer.request({ action: 'command', target: { session: 'alpha', window: 0 }, command: 'send', text: 'hi' });
        expect(refused.code).toBe('FORBIDDEN');
      });
    });

    describe('roles, permissions and scoping', () => {
      it('keeps output from tokens without the output permission', async () => {
        const narrow = await authed({ role: 'viewer', permissions: ['read', 'subscribe', 'snapshot'] });
        await subscribe(narrow, { filters: {} });
        await server.push(
          output('alpha', 'secret'),
          { type: 'pane.error', session: 'alpha', data: { preview: 'x', line: 'Error' } },
          status('alpha', 0, 0, '%0', 'busy'),
        );
        await narrow.next('agent.status');
        expect(narrow.messages.some((m) => m.type === 'pane.output' || m.type === 'pane.error')).toBe(false);
        expect((await narrow.request({ action: 'snapshot', lines: 5 })).code).toBe('FORBIDDEN');
        const noRead = await connect();
        noRead.send({ action: 'auth', token: await server.token({ role: 'admin', permissions: ['subscribe'] }) });
        expect((await noRead.next('error')).code).toBe('FORBIDDEN');
        expect((await noRead.closed).code).toBe(4403);
        const noSubscribe = await authed({ role: 'viewer', permissions: ['read', 'output'] });
        expect((await noSubscribe.request({ action: 'subscribe' })).code).toBe('FORBIDDEN');
        expect((await noSubscribe.request({ action: 'snapshot' })).code).toBe('FORBIDDEN');
      });

      it('shows a scoped token nothing outside its sessions', async () => {
        const scoped = await authed({ role: 'operator', sessions: ['al*'] });
        await subscribe(scoped, { filters: {}, since: 0 });
        await server.push(output('beta', 'b'), status('beta', 0, 0, '%1', 'busy'), output('alpha', 'a'), {
          type: 'session.renamed',
          session: 'zeta',
          data: { old_name: 'alpha', new_name: 'zeta' },
        });
        await scoped.next('session.renamed');
        expect(scoped.messages.filter(isEvent).some((m) => m.session === 'beta' || m.session === 'resume' || m.session === 'gap')).toBe(
          false,
        );
        await scoped.request({ action: 'snapshot' });
        const data = await scoped.next('snapshot.data');
        expect(data.data.sessions.map((s: SessionSnapshot) => s.name)).toEqual(['alpha']);
        // Outside the scope answers as absent: NOT_FOUND, by name or by id.
        expect((await scoped.request({ action: 'snapshot', target: { session: 'beta' } })).code).toBe('NOT_FOUND');
        expect((await scoped.request({ action: 'snapshot', target: { pane: '%1' } })).code).toBe('NOT_FOUND');
        const command = await scoped.request({ action: 'command', target: { session: 'beta', window: 0 }, command: 'interrupt' });
        expect(command.code).toBe('NOT_FOUND');
        // `*1` matches "$1", beta's id, but a name pattern never reaches a session by its id.
        const byId = await authed({ role: 'operator', sessions: ['*1'] });
        const typed = await byId.request({ action: 'command', target: { session: '$1', window: 0 }, command: 'send', text: 'x' });
        expect(typed.code).toBe('NOT_FOUND');
      });
    });

    describe('forged and expired tokens', () => {
      const refuse = async (token: string, code = 'AUTH_FAILED') => {
        const client = await connect();
        await client.next('connection.established');
        client.send({ action: 'auth', token });
        expect((await client.next('error')).code).toBe(code);
        expect((await client.closed).code).toBe(4401);
      };
      const sign = (claims: jose.JWTPayload, key: Uint8Array | CryptoKey, alg = 'HS256') =>
        new jose.SignJWT(claims).setProtectedHeader({ alg }).sign(key);
      const exp = () => Math.floor(Date.now() / 1000) + 600;

      it('refuses alg none', async () => {
        await refuse(new jose.UnsecuredJWT({ sub: 'x', role: 'admin', exp: exp() }).encode());
      });
      it('refuses a wrong key', async () => {
        await refuse(await sign({ sub: 'x', role: 'admin', exp: exp() }, new TextEncoder().encode('wrong-secret')));
      });
      it('refuses HS/RS confusion', async () => {
        const { publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
        const pem = await jose.exportSPKI(publicKey);
        await refuse(await sign({ sub: 'x', role: 'admin', exp: exp() }, new TextEncoder().encode(pem)));
        const { privateKey } = await jose.generateKeyPair('RS256');
        await refuse(await sign({ sub: 'x', role: 'admin', exp: exp() }, privateKey, 'RS256'));
      });
      it('refuses an expired token, a token without exp and a bad role', async () => {
        const key = new TextEncoder().encode(server.secret);
        await refuse(await sign({ sub: 'x', role: 'admin', exp: Math.floor(Date.now() / 1000) - 60 }, key), 'TOKEN_EXPIRED');
        await refuse(await sign({ sub: 'x', role: 'admin' }, key));
        await refuse(await sign({ sub: 'x', role: 'root', exp: exp() }, key));
      });
      it('checks iss and aud when configured, and verifies JWKS tokens', async () => {
        const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
        const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
        const jwks: Server = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
        await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
        const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`;
        const strict = await start({ issuer: 'me', audience: 'tmux', jwksUrl });
        try {
          const key = new TextEncoder().encode(strict.secret);
          const tryAuth = async (token: string) => {
            const client = await TestClient.connect(strict.url);
            clients.push(client);
            client.send({ action: 'auth', token });
            return client.next((m) => m.type === 'auth.response' || m.type === 'error');
          };
          expect((await tryAuth(await sign({ sub: 'x', exp: exp(), iss: 'me', aud: 'tmux' }, key))).type).toBe('auth.response');
          expect((await tryAuth(await sign({ sub: 'x', exp: exp(), iss: 'you', aud: 'tmux' }, key))).code).toBe('AUTH_FAILED');
          expect((await tryAuth(await sign({ sub: 'x', exp: exp(), iss: 'me', aud: 'other' }, key))).code).toBe('AUTH_FAILED');
          const es = (claims: jose.JWTPayload) => new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
          const good = await tryAuth(await es({ sub: 'jwks-user', role: 'viewer', exp: exp(), iss: 'me', aud: 'tmux' }));
          expect(good).toMatchObject({ type: 'auth.response', subject: 'jwks-user', role: 'viewer' });
          const other = await jose.generateKeyPair('ES256');
          const forged = await new jose.SignJWT({ sub: 'x', exp: exp(), iss: 'me', aud: 'tmux' })
            .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
            .sign(other.privateKey);
          expect((await tryAuth(forged)).code).toBe('AUTH_FAILED');
        } finally {
          await strict.close();
          jwks.close();
        }
      });
      it('closes a connection whose token expires with TOKEN_EXPIRED and 4401', async () => {
        const key = new TextEncoder().encode(server.secret);
        const token = await sign({ sub: 'short', role: 'viewer', exp: Math.floor(Date.now() / 1000) + 2 }, key);
        const client = await connect();
        client.send({ action: 'auth', token });
        await client.next('auth.response');
        expect((await client.next('error', 8000)).code).toBe('TOKEN_EXPIRED');
        expect((await client.closed).code).toBe(4401);
      });
    });

    describe('limits', () => {
      it('closes a client that never authenticates with 4408', async () => {
        const quick = await start({ authTimeoutMs: 300 });
        try {
          const client = await TestClient.connect(quick.url);
          clients.push(client);
          expect((await client.next('connection.established')).auth_timeout_ms).toBe(300);
          expect((await client.closed).code).toBe(4408);
        } finally {
          await quick.close();
        }
      });

      it('rate limits, then closes with 4429; others are unaffected', async () => {
        const limited = await start({ rateLimit: 5 });
        try {
          const token = await limited.token();
          const flooder = await TestClient.authed(limited.url, token);
          const calm = await TestClient.authed(limited.url, token);
          clients.push(flooder, calm);
          for (let i = 0; i < 40; i++) flooder.send({ action: 'ping' });
          expect((await flooder.next((m) => m.type === 'error')).code).toBe('RATE_LIMIT');
          expect((await flooder.closed).code).toBe(4429);
          expect((await calm.request({ action: 'ping' })).type).toBe('pong');
        } finally {
          await limited.close();
        }
      });

      it('refuses connections past the limit with HTTP 503', async () => {
        const small = await start({ maxConnections: 2 });
        try {
          const a = await TestClient.connect(small.url);
          const b = await TestClient.connect(small.url);
          clients.push(a, b);
          await expect(TestClient.connect(small.url)).rejects.toThrow(/503/);
          await b.close();
          const c = await TestClient.connect(small.url);
          clients.push(c);
          await c.next('connection.established');
        } finally {
          await small.close();
        }
      });

      it('refuses an address after 10 failed auths with 4429', async () => {
        const fresh = await start();
        try {
          for (let i = 0; i < 10; i++) {
            const client = await TestClient.connect(fresh.url);
            clients.push(client);
            client.send({ action: 'auth', token: 'bad' });
            expect((await client.closed).code).toBe(4401);
          }
          const blocked = await TestClient.connect(fresh.url);
          clients.push(blocked);
          expect((await blocked.closed).code).toBe(4429);
        } finally {
          await fresh.close();
        }
      });

      it('drops output for a slow reader, closes it with 4503, and a fast reader gets every event', async () => {
        const slowServer = await start({ sendBufferLimit: 256 * 1024, slowReaderGraceMs: 1000 });
        try {
          const token = await slowServer.token();
          const fast = await TestClient.authed(slowServer.url, token);
          const slow = await TestClient.authed(slowServer.url, token);
          clients.push(fast, slow);
          await fast.request({ action: 'subscribe', filters: {} });
          await slow.request({ action: 'subscribe', filters: {} });
          (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
          const chunk = 'x'.repeat(16 * 1024);
          let sent = 0;
          while (slow.closeCode === undefined && sent < 3000) {
            await slowServer.push(output('flood', chunk), status('flood', 0, 0, '%0', sent % 2 ? 'busy' : 'ready'));
            sent += 2;
            if (sent % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
            if (sent > 400 && sent % 100 === 0) await fast.collect(isEvent, sent, 10_000);
          }
          (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
          expect((await slow.closed).code).toBe(4503);
          const got = await fast.collect(isEvent, sent, 20_000);
          const seqs = got.map((m) => m.seq as number);
          expect(seqs).toEqual(Array.from({ length: sent }, (_, i) => seqs[0]! + i));
        } finally {
          await slowServer.close();
        }
      });

      it('tells a reader that caught up how many outputs it missed (system.lagged)', async () => {
        const lagServer = await start({ sendBufferLimit: 256 * 1024, slowReaderGraceMs: 60_000 });
        try {
          const token = await lagServer.token();
          const slow = await TestClient.authed(lagServer.url, token);
          clients.push(slow);
          await slow.request({ action: 'subscribe', filters: {} });
          const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
          socket.pause();
          const chunk = 'y'.repeat(16 * 1024);
          const health = async () => (await fetch(`${lagServer.httpUrl}/metrics`)).text();
          for (let i = 0; i < 2000; i++) {
            await lagServer.push(output('lag', chunk));
            if (i % 50 === 49 && /tmux_monitor_events_dropped_total [1-9]/.test(await health())) break;
          }
          await lagServer.push(status('lag', 0, 0, '%0', 'busy'));
          socket.resume();
          const lagged = await slow.next('system.lagged', 20_000);
          expect(lagged.data.dropped).toBeGreaterThan(0);
          await slow.collect((m) => m.type === 'agent.status', 1, 20_000);
        } finally {
          await lagServer.close();
        }
      });
    });

    describe('http routes and embedding', () => {
      it('serves /health, /metrics, /schema.json and the dashboard', async () => {
        const health = await (await fetch(`${server.httpUrl}/health`)).json();
        expect(health).toMatchObject({ status: 'ok', source: 'connected' });
        expect(typeof health.epoch).toBe('string');
        expect(typeof health.seq).toBe('number');
        expect(typeof health.clients).toBe('number');
        const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
        expect(metrics).toMatch(/^tmux_monitor_connections \d+$/m);
        expect(metrics).toMatch(/tmux_monitor_events_total\{type="agent.status"\} \d+/);
        expect(metrics).toMatch(/tmux_monitor_messages_rejected_total\{code="INVALID_JSON"\} \d+/);
        expect(metrics).toContain('tmux_monitor_fanout_seconds_count');
        const schema = await (await fetch(`${server.httpUrl}/schema.json`)).json();
        expect(JSON.stringify(schema)).toContain('subscribe');
        const page = await fetch(`${server.httpUrl}/`);
        expect(page.headers.get('content-type')).toContain('text/html');
        const plain = await fetch(`${server.httpUrl}/monitor`);
        expect(plain.status).toBe(426);
      });

      it('works mounted under a prefix in a host app', async () => {
        const hosted = await start({ prefix: '/tmux' });
        try {
          expect(hosted.url).toMatch(/\/tmux\/monitor$/);
          const client = await TestClient.authed(hosted.url, await hosted.token());
          clients.push(client);
          await client.request({ action: 'subscribe', filters: { types: ['agent.status'] } });
          await hosted.push(status('alpha', 0, 0, '%0', 'busy'));
          await client.next('agent.status');
          const legacy = await TestClient.connect(hosted.origin + '/tmux');
          clients.push(legacy);
          await legacy.next('connection.established');
          expect((await (await fetch(`${hosted.httpUrl}/health`)).json()).status).toBe('ok');
        } finally {
          await hosted.close();
        }
      });

      it('closes every client with 1001 on shutdown', async () => {
        const doomed = await start();
        const client = await TestClient.authed(doomed.url, await doomed.token());
        clients.push(client);
        const closed = client.closed;
        await doomed.close();
        expect((await closed).code).toBe(1001);
      });
    });
  });
}

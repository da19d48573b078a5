/**
 * Reconnect, resume and gaps, against a real server: the connection cut under the client
 * while events keep coming (same epoch: nothing lost, nothing repeated), the server
 * restarted (new epoch: a gap), history too short (a gap), and close codes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer, type TestServerOptions } from '../helpers/server.ts';
import type { MemorySource } from '../../src/hub/memory-source.ts';
import type { Connection } from '../../src/hub/connection.ts';
import type { Hub } from '../../src/hub/hub.ts';
import {
  TmuxMonitor,
  TmuxMonitorError,
  type LifecycleEventName,
  type MonitorEvent,
  type TmuxMonitorOptions,
} from '../../src/client/index.ts';
import { agentStatus, nextLifecycle, recordingWebSocket, restartableServer, take, waitUntil } from './js-support.ts';

const fast = { initialDelayMs: 20, maxDelayMs: 100 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: TestServerOptions<MemorySource> = {}): Promise<TestServer> {
  const s = await startServer<MemorySource>(options);
  cleanups.push(() => s.close());
  return s;
}

function monitorFor(url: string, options: TmuxMonitorOptions) {
  const recording = recordingWebSocket();
  const monitor = new TmuxMonitor(url, { WebSocket: recording.WebSocket, reconnect: fast, ...options });
  cleanups.push(() => monitor.close());
  const seen: string[] = [];
  for (const name of ['open', 'close', 'reconnecting', 'resumed', 'gap'] as LifecycleEventName[]) monitor.on(name, () => seen.push(name));
  return { monitor, sockets: recording.sockets, seen };
}

/** The server side of each connection (the hub keeps them private). */
function serverConnections(hub: Hub): Connection[] {
  return [...(hub as unknown as { connections: Set<Connection> }).connections];
}

const reasonOf = (e: MonitorEvent): string => (e as MonitorEvent<'agent.status'>).data.reason;

describe('reconnect and resume', () => {
  it('a dropped connection (same epoch) loses and repeats nothing while events keep coming', async () => {
    const s = await server();
    const { monitor, sockets, seen } = monitorFor(s.url, { token: await s.token() });
    const stream = monitor.events();
    // Two overlapping subscriptions: both match every event pushed below.
    await monitor.subscribe({ types: ['agent.status'] });
    await monitor.subscribe({ sessions: ['ai-chat'] });

    const total = 300;
    let pushed = 0;
    const pusher = setInterval(() => {
      for (let i = 0; i < 3 && pushed < total; i++) s.source.push(agentStatus(++pushed));
      if (pushed >= total) clearInterval(pusher);
    }, 1);
    cleanups.push(async () => clearInterval(pusher));

    const received = await take(stream, 40);
    // Cut the TCP connection under the client, twice, while the pusher goes on.
    sockets.at(-1)!.terminate();
    const first = await nextLifecycle(monitor, 'resumed');
    received.push(...(await take(stream, 40)));
    sockets.at(-1)!.terminate();
    const second = await nextLifecycle(monitor, 'resumed');
    received.push(...(await take(stream, total - received.length, 10_000)));

    // Events the server sent to the dead sockets came back in the replays.
    expect(first.replayed + second.replayed).toBeGreaterThan(0);
    expect([first.complete, second.complete]).toEqual([true, true]);

    expect(sockets.length).toBe(3);
    expect(seen.filter((n) => n === 'gap')).toEqual([]);
    expect(received.map(reasonOf)).toEqual(Array.from({ length: total }, (_, i) => `n=${i + 1}`));
    const seqs = received.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => seqs[0]! + i));
    expect(monitor.lastSeq).toBe(seqs.at(-1));
  });

  it('a server restart (1001, new epoch) reconnects, reports a gap with a fresh snapshot, and goes on', async () => {
    const tree = [{ name: 'ai-chat', id: '$1', attached: 0, created: '2026-01-01T00:00:00.000Z', windows: [] }];
    const s = await restartableServer(tree);
    cleanups.push(() => s.stop());
    const { monitor, seen } = monitorFor(s.url, { token: () => s.token(), snapshotOnGap: true });
    const stream = monitor.events();
    await monitor.subscribe({ types: ['agent.status'] });
    s.source.push(agentStatus(1), agentStatus(2));
    await take(stream, 2);
    const firstEpoch = monitor.epoch;

    const closed = nextLifecycle(monitor, 'close');
    const gap = nextLifecycle(monitor, 'gap');
    const resumed = nextLifecycle(monitor, 'resumed');
    await s.stop();
    expect(await closed).toMatchObject({ code: 1001, terminal: false, willReconnect: true });
    await s.start();
    // Pushed right after the restart: delivered once, whether replayed or live.
    s.source.push(agentStatus(3));

    const reported = await gap;
    expect(reported).toMatchObject({ reason: 'epoch-changed', previousEpoch: firstEpoch, since: 2, epoch: s.monitor.hub.epoch });
    expect(reported.snapshot?.sessions.map((x) => x.name)).toEqual(['ai-chat']);
    expect(await resumed).toMatchObject({ complete: false, epoch: s.monitor.hub.epoch });
    expect(monitor.epoch).toBe(s.monitor.hub.epoch);
    expect(monitor.epoch).not.toBe(firstEpoch);

    s.source.push(agentStatus(4));
    const after = await take(stream, 2);
    expect(after.map(reasonOf)).toEqual(['n=3', 'n=4']);
    expect(after.map((e) => e.seq)).toEqual([1, 2]);
    expect(monitor.lastSeq).toBe(2);
    expect(seen).toContain('reconnecting');
  });

  it('history that no longer holds the missed events (same epoch) is a gap: history-lost', async () => {
    const s = await server({ history: { size: 5 } });
    const { monitor, sockets } = monitorFor(s.url, { token: await s.token(), reconnect: { initialDelayMs: 300, maxDelayMs: 300 } });
    const stream = monitor.events();
    await monitor.subscribe({ types: ['agent.status'] });
    s.source.push(agentStatus(1));
    await take(stream, 1);

    const gap = nextLifecycle(monitor, 'gap');
    sockets.at(-1)!.terminate();
    await nextLifecycle(monitor, 'reconnecting');
    for (let n = 2; n <= 12; n++) s.source.push(agentStatus(n));
    expect(await gap).toMatchObject({ reason: 'history-lost', since: 1 });
    // What is still held (the last 5) is delivered, in order.
    const held = await take(stream, 5);
    expect(held.map(reasonOf)).toEqual(['n=8', 'n=9', 'n=10', 'n=11', 'n=12']);
  });

  it('4503 (too slow) reconnects and resumes', async () => {
    const s = await server();
    const { monitor } = monitorFor(s.url, { token: await s.token() });
    const stream = monitor.events();
    await monitor.subscribe({ types: ['agent.status'] });
    s.source.push(agentStatus(1));
    await take(stream, 1);
    const closed = nextLifecycle(monitor, 'close');
    const resumed = nextLifecycle(monitor, 'resumed');
    for (const connection of serverConnections(s.monitor.hub)) connection.close(4503, 'too slow to read');
    expect(await closed).toMatchObject({ code: 4503, willReconnect: true, terminal: false });
    expect(await resumed).toMatchObject({ complete: true, since: 1 });
    s.source.push(agentStatus(2));
    expect((await take(stream, 1)).map(reasonOf)).toEqual(['n=2']);
  });
});

describe('keepalive', () => {
  it('a connection that goes silent (stalled network) is pinged, dropped and resumed', async () => {
    const s = await server();
    const { monitor, sockets } = monitorFor(s.url, { token: await s.token(), pingIntervalMs: 100 });
    const stream = monitor.events();
    await monitor.subscribe({ types: ['agent.status'] });
    const reconnecting = nextLifecycle(monitor, 'reconnecting');
    // Stop reading the TCP socket under the client: nothing arrives any more, no close either.
    (sockets[0] as unknown as { _socket: { pause(): void } })._socket.pause();
    expect((await reconnecting).reason).toMatch(/no message from the server/);
    await nextLifecycle(monitor, 'resumed');
    s.source.push(agentStatus(1));
    expect((await take(stream, 1)).map(reasonOf)).toEqual(['n=1']);
  });

  it('a quiet but healthy connection stays up (the pongs count)', async () => {
    const s = await server();
    const { monitor, seen } = monitorFor(s.url, { token: await s.token(), pingIntervalMs: 100 });
    await monitor.subscribe({});
    // Long enough for several keepalive rounds (each 100 ms of silence sends a ping).
    await expect(nextLifecycle(monitor, 'close', () => true, 700)).rejects.toThrow(/no 'close' event/);
    expect(seen).toEqual(['open']);
    expect(monitor.state).toBe('open');
  });
});

describe('terminal close codes stop reconnecting', () => {
  async function expectTerminal(monitor: TmuxMonitor, sockets: unknown[], closeCode: number, code: string): Promise<void> {
    const stream = monitor.events();
    const closed = await nextLifecycle(monitor, 'close');
    expect(closed).toMatchObject({ code: closeCode, terminal: true, willReconnect: false });
    expect(closed.error).toMatchObject({ code, closeCode });
    expect(monitor.state).toBe('closed');
    const thrown = await stream.next().catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(TmuxMonitorError);
    expect(thrown).toMatchObject({ code, closeCode });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(sockets).toHaveLength(1);
  }

  it('4401: a bad token', async () => {
    const s = await server();
    const { monitor, sockets, seen } = monitorFor(s.url, { token: 'not-a-jwt' });
    const subscribed = monitor.subscribe({}).catch((e: unknown) => e);
    await expectTerminal(monitor, sockets, 4401, 'AUTH_FAILED');
    expect(await subscribed).toMatchObject({ code: 'AUTH_FAILED' });
    expect(seen).not.toContain('reconnecting');
  });

  it('4401: a token that expires while connected (TOKEN_EXPIRED)', async () => {
    const s = await server();
    const { monitor, sockets } = monitorFor(s.url, { token: await s.token({ ttlSec: 1 }) });
    await nextLifecycle(monitor, 'open');
    await expectTerminal(monitor, sockets, 4401, 'TOKEN_EXPIRED');
  });

  it('4403: forbidden', async () => {
    const s = await server();
    const { monitor, sockets } = monitorFor(s.url, { token: await s.token() });
    await nextLifecycle(monitor, 'open');
    const terminal = expectTerminal(monitor, sockets, 4403, 'FORBIDDEN');
    for (const connection of serverConnections(s.monitor.hub)) connection.close(4403, 'forbidden');
    await terminal;
  });

  it('1009: a frame over 64 KiB; the request in flight fails with the reason', async () => {
    const s = await server();
    const { monitor, sockets } = monitorFor(s.url, { token: await s.token() });
    await nextLifecycle(monitor, 'open');
    const terminal = expectTerminal(monitor, sockets, 1009, 'MESSAGE_TOO_LARGE');
    await expect(monitor.command('ai-chat:0.0', 'send', 'x'.repeat(70_000))).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await terminal;
  });

  it('no token for a server that requires one', async () => {
    const s = await server();
    const { monitor, sockets } = monitorFor(s.url, {});
    await expectTerminal(monitor, sockets, 4401, 'AUTH_REQUIRED');
  });
});

describe('token functions', () => {
  it('are called on connect, before expiry (re-auth on the open connection) and on reconnect', async () => {
    const s = await server();
    let calls = 0;
    const { monitor, sockets, seen } = monitorFor(s.url, {
      token: async () => {
        calls++;
        return s.token({ ttlSec: 2, sub: `call-${calls}` });
      },
    });
    const stream = monitor.events();
    await monitor.subscribe({ types: ['agent.status'] });
    const subjects: string[] = [];
    monitor.on('auth', (info) => subjects.push(info.subject));
    // Two refreshes: the connection outlives the first tokens' expiry, on one socket.
    await waitUntil(() => subjects.length >= 2, 8000, 'two refreshes');
    expect(subjects).toEqual(['call-2', 'call-3']);
    expect(sockets).toHaveLength(1);
    expect(seen).not.toContain('close');
    s.source.push(agentStatus(1));
    expect((await take(stream, 1)).map(reasonOf)).toEqual(['n=1']);

    const before = calls;
    sockets.at(-1)!.terminate();
    await nextLifecycle(monitor, 'resumed');
    expect(calls).toBe(before + 1);
    expect(monitor.auth?.subject).toBe(`call-${calls}`);
  });
});

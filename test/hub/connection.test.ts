/**
 * The Connection over a fake transport and a small fake hub: every write goes through
 * its outbox, so a reader that stops reading costs at most the send-buffer limit.
 */
import { describe, expect, it, vi } from 'vitest';
import { Connection } from '../../src/hub/connection.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { FakePeer, fakeHub, output } from './fake-peer.ts';

const LIMIT = 64 * 1024;

function bigSession(contentChars: number): SessionSnapshot {
  const line = 'the quick brown fox jumps over the lazy dog, line after line ..\n';
  return {
    name: 's',
    id: '$0',
    attached: 0,
    created: new Date(0).toISOString(),
    windows: [
      {
        index: 0,
        id: '@0',
        name: 'w',
        active: true,
        panes: [
          {
            index: 0,
            id: '%0',
            pid: 1,
            command: 'sh',
            title: '',
            path: '/',
            dead: false,
            agent: { status: 'unknown' as never, agent_type: 'none' },
            content: line.repeat(Math.ceil(contentChars / line.length)),
          },
        ],
      },
    ],
  };
}

function connect(options: Parameters<typeof fakeHub>[0] = {}) {
  const hub = fakeHub({ sendBufferLimit: LIMIT, ...options });
  const peer = new FakePeer();
  const connection = new Connection(hub, peer, '127.0.0.1', undefined);
  connection.open();
  const send = (message: unknown) => connection.receive(JSON.stringify(message));
  return { hub, peer, connection, send };
}

describe('Connection', () => {
  it('answers through its transport: established, pong, errors, subscription', async () => {
    const { peer, send } = connect();
    send({ action: 'ping', id: 1 });
    send('not json' as never);
    send({ action: 'subscribe', id: 2, filters: { types: ['pane.output'] } });
    await vi.waitFor(() =>
      expect(peer.messages().map((m) => m.type)).toEqual(['connection.established', 'pong', 'error', 'subscription.confirmed']),
    );
    expect(peer.messages()[2]).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('answers a message at once when nothing waits, and holds later messages behind one that waits', async () => {
    const admin = {
      subject: 'a',
      role: 'admin',
      permissions: new Set(['read', 'subscribe', 'snapshot']),
      sessions: null,
      hosts: null,
      expiresAt: null,
    };
    let release: (() => void) | undefined;
    const verifier = (token: string) =>
      token === 'known'
        ? (admin as never)
        : new Promise<never>((resolve) => {
            release = () => resolve(admin as never);
          });
    // A token seen before: the reply is written while the frame is being received.
    const known = connect({ verifier });
    known.send({ action: 'auth', id: 1, token: 'known' });
    expect(known.peer.messages().map((m) => m.type)).toEqual(['connection.established', 'auth.response']);

    // A token being checked: what comes after waits for it, then follows in order.
    const slow = connect({ verifier });
    slow.send({ action: 'auth', id: 1, token: 'new' });
    slow.send({ action: 'ping', id: 2 });
    slow.send({ action: 'subscribe', id: 3 });
    await Promise.resolve();
    expect(slow.peer.messages().map((m) => m.type)).toEqual(['connection.established']);
    release!();
    await vi.waitFor(() =>
      expect(slow.peer.messages().map((m) => [m.type, m.id])).toEqual([
        ['connection.established', undefined],
        ['auth.response', 1],
        ['pong', 2],
        ['subscription.confirmed', 3],
      ]),
    );
  });

  it('answers a verifier that throws with AUTH_FAILED, as any failed token check', async () => {
    const verifier = () => {
      throw new Error('verifier broke');
    };
    const { peer, send } = connect({ verifier, rateLimit: { perSecond: 100, burst: 100, maxViolations: 10, violationWindowMs: 10_000 } });
    send({ action: 'auth', id: 1, token: 'x' });
    await vi.waitFor(() => expect(peer.messages().map((m) => m.type)).toContain('error'));
    // A verifier that throws is a failed token check (AUTH_FAILED), never a crash.
    expect(peer.messages().find((m) => m.type === 'error')).toMatchObject({ id: 1, code: 'AUTH_FAILED' });
  });

  it('closes a reader that stops reading and keeps asking for big snapshots with 4503, holding at most the limit', async () => {
    const { hub, peer, send } = connect();
    hub.source.sessions = [bigSession(200_000)];
    peer.reading = false;
    for (let i = 0; i < 100 && !peer.closed; i++) {
      send({ action: 'snapshot', id: i, lines: 2000 });
      await vi.waitFor(() =>
        expect(peer.closed !== undefined || peer.messages().some((m) => m.type === 'snapshot.data' && m.id === i)).toBe(true),
      );
    }
    expect(peer.closed?.code).toBe(4503);
    expect(peer.buffered).toBeLessThanOrEqual(LIMIT);
    expect(hub.metrics.sendBufferPeak).toBeLessThanOrEqual(LIMIT);
    expect(hub.metrics.slowConsumerCloses).toBe(1);
    // Each reply's content was bounded (half the limit), cut at the oldest lines.
    const pane = peer.messages().find((m) => m.type === 'snapshot.data')!.data.sessions[0].windows[0].panes[0];
    expect(pane.content.length).toBeLessThanOrEqual(LIMIT / 2);
    expect(pane.content_truncated).toBe(true);
    expect(pane.content.startsWith('the quick')).toBe(true);
  });

  it('writes no pong past the limit: the pong, too, is a write of the outbox', async () => {
    const { peer, send } = connect();
    await vi.waitFor(() => expect(peer.sent.length).toBe(1));
    peer.reading = false;
    peer.buffered = LIMIT;
    send({ action: 'ping', id: 'p' });
    await vi.waitFor(() => expect(peer.closed?.code).toBe(4503));
    expect(peer.messages().some((m) => m.type === 'pong')).toBe(false);
  });

  it('paces a history replay through the outbox; live events wait behind replay.complete', async () => {
    const { hub, peer, connection, send } = connect();
    for (let i = 0; i < 300; i++) hub.stamp([output(1000)]);
    peer.reading = false;
    send({ action: 'subscribe', id: 'r', since: 0 });
    await vi.waitFor(() => expect(peer.messages().some((m) => m.type === 'subscription.confirmed')).toBe(true));
    // At most half the limit (and one event) was written while the reader does not read.
    const written = () => peer.messages().filter((m) => m.type === 'pane.output').length;
    expect(written()).toBeGreaterThan(0);
    expect(written()).toBeLessThanOrEqual(LIMIT / 2 / 1000 + 1);
    // A live event published now goes after the replay (output would be dropped: the reader is behind).
    connection.deliver(
      hub.stamp([{ type: 'agent.status', session: 's', data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 't' } }]),
    );
    expect(peer.messages().some((m) => m.type === 'agent.status')).toBe(false);
    peer.reading = true;
    peer.drain();
    await vi.waitFor(() => expect(peer.messages().some((m) => m.type === 'agent.status')).toBe(true), { timeout: 5000 });
    const types = peer.messages().map((m) => m.type);
    expect(types.filter((t) => t === 'pane.output')).toHaveLength(300);
    expect(types.slice(-2)).toEqual(['replay.complete', 'agent.status']);
    expect(peer.messages().find((m) => m.type === 'replay.complete')).toMatchObject({ count: 300, complete: true });
    expect(peer.closed).toBeUndefined();
  });

  it('closes with 4503 a reader that never takes its replay, after the grace period', async () => {
    const { hub, peer, send } = connect({ slowReaderGraceMs: 50 });
    for (let i = 0; i < 300; i++) hub.stamp([output(1000)]);
    peer.reading = false;
    send({ action: 'subscribe', id: 'r', since: 0 });
    await vi.waitFor(() => expect(peer.closed?.code).toBe(4503), { timeout: 5000 });
    expect(peer.buffered).toBeLessThanOrEqual(LIMIT);
  });

  it('drops live output for a reader over half the limit, keeps other events, and reports system.lagged', async () => {
    const { hub, peer, connection, send } = connect();
    send({ action: 'subscribe', id: 's' });
    await vi.waitFor(() => expect(peer.messages().some((m) => m.type === 'subscription.confirmed')).toBe(true));
    peer.reading = false;
    connection.deliver(hub.stamp(Array.from({ length: 100 }, () => output(1000))));
    connection.deliver(
      hub.stamp([{ type: 'agent.status', session: 's', data: { status: 'busy', previous: 'ready', agent_type: 'claude', reason: 't' } }]),
    );
    const outputs = peer.messages().filter((m) => m.type === 'pane.output').length;
    expect(outputs).toBeLessThan(100);
    expect(peer.messages().at(-1)!.type).toBe('agent.status');
    expect(hub.metrics.eventsDropped).toBe(100 - outputs);
    peer.reading = true;
    peer.drain();
    await vi.waitFor(() => expect(peer.messages().at(-1)).toMatchObject({ type: 'system.lagged', data: { dropped: 100 - outputs } }), {
      timeout: 2000,
    });
    expect(peer.closed).toBeUndefined();
  });

  it('sends a batch of live events as one batch of the transport', async () => {
    const { hub, peer, connection, send } = connect();
    send({ action: 'subscribe', id: 's' });
    await vi.waitFor(() => expect(peer.messages().some((m) => m.type === 'subscription.confirmed')).toBe(true));
    const before = peer.batches;
    connection.deliver(hub.stamp(Array.from({ length: 10 }, () => output(100))));
    expect(peer.batches - before).toBe(1);
    expect(peer.messages().filter((m) => m.type === 'pane.output')).toHaveLength(10);
  });
});

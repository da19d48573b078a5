/** The shared heartbeat (Node and Bun kits): who is dropped, and when, on a fake clock. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PING_SLICE, startHeartbeat } from '../../src/runtime/websocket.ts';

interface FakePeer {
  name: string;
  /** Answers each ping at once. */
  answers: boolean;
}

function run(intervalMs: number, timeoutMs: number, peers: FakePeer[]) {
  const dropped: string[] = [];
  const live = new Set(peers);
  const heartbeat = startHeartbeat(
    live,
    intervalMs,
    timeoutMs,
    (peer) => {
      if (peer.answers) queueMicrotask(() => heartbeat.answered(peer));
    },
    (peer) => {
      dropped.push(peer.name);
      live.delete(peer);
    },
  );
  return { heartbeat, dropped };
}

describe('startHeartbeat', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('drops a peer that does not answer, timeoutMs after the ping; keeps one that does', async () => {
    const { heartbeat, dropped } = run(1000, 300, [
      { name: 'silent', answers: false },
      { name: 'alive', answers: true },
    ]);
    await vi.advanceTimersByTimeAsync(1299);
    expect(dropped).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(dropped).toEqual(['silent']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dropped).toEqual(['silent']);
    heartbeat.stop();
  });

  it('a timeout longer than the interval still drops a silent peer', async () => {
    const { heartbeat, dropped } = run(100, 250, [
      { name: 'silent', answers: false },
      { name: 'alive', answers: true },
    ]);
    await vi.advanceTimersByTimeAsync(349);
    expect(dropped).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(dropped).toEqual(['silent']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(dropped).toEqual(['silent']);
    heartbeat.stop();
  });

  it('a peer that answered one round is judged on the next one by that round deadline', async () => {
    const flaky: FakePeer = { name: 'went-quiet', answers: true };
    const { heartbeat, dropped } = run(100, 250, [flaky]);
    // It answers the first ping (t=100), then goes quiet before the second (t=200).
    await vi.advanceTimersByTimeAsync(150);
    flaky.answers = false;
    // The first round's deadline (t=350) does not drop it: it answered that round.
    await vi.advanceTimersByTimeAsync(200);
    expect(dropped).toEqual([]);
    // The second round's deadline (t=450) does.
    await vi.advanceTimersByTimeAsync(100);
    expect(dropped).toEqual(['went-quiet']);
    heartbeat.stop();
  });

  it('stop() ends the pings and the pending deadlines', async () => {
    const { heartbeat, dropped } = run(100, 250, [{ name: 'silent', answers: false }]);
    await vi.advanceTimersByTimeAsync(200);
    heartbeat.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(dropped).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('pings a large set a slice per turn, so that other work runs between slices', async () => {
    const count = PING_SLICE * 2 + 50;
    const order: string[] = [];
    const peers = Array.from({ length: count }, (_, i) => ({ name: `p${i}`, answers: i % 2 === 0 }));
    const live = new Set(peers);
    const dropped: string[] = [];
    const heartbeat = startHeartbeat(
      live,
      1000,
      300,
      (peer) => {
        order.push(peer.name);
        // Work that arrives during the sweep (a live event, say): queued behind the first slice.
        if (peer.name === 'p0') setTimeout(() => order.push('event'), 0);
        if (peer.answers) queueMicrotask(() => heartbeat.answered(peer));
      },
      (peer) => {
        dropped.push(peer.name);
        live.delete(peer);
      },
    );
    // The interval at t=1000, then the later slices (0 ms timers) in the turns after it.
    await vi.advanceTimersByTimeAsync(1010);
    expect(order.filter((name) => name !== 'event')).toEqual(peers.map((p) => p.name));
    // Not after the whole sweep: after the first slice.
    expect(order.indexOf('event')).toBe(PING_SLICE);
    // Every silent peer, and only those, is dropped at the deadline.
    await vi.advanceTimersByTimeAsync(290);
    expect(dropped).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(dropped.sort()).toEqual(
      peers
        .filter((p) => !p.answers)
        .map((p) => p.name)
        .sort(),
    );
    heartbeat.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});

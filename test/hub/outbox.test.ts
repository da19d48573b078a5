/** The outbox's slow-reader policy over a fake transport. */
import { describe, expect, it, vi } from 'vitest';
import { Outbox } from '../../src/hub/outbox.ts';
import { FakePeer } from './fake-peer.ts';

const LIMIT = 10_000;

function outbox(graceMs = 10_000) {
  const peer = new FakePeer();
  const slow: string[] = [];
  let dropped = 0;
  const box = new Outbox(
    peer,
    { sendBufferLimit: LIMIT, slowReaderGraceMs: graceMs },
    { slow: (_owner, reason) => slow.push(reason), dropped: () => void dropped++ },
    undefined,
  );
  return { peer, box, slow, dropped: () => dropped };
}

describe('Outbox', () => {
  it('lets one message larger than the limit through to an empty buffer (a reader that keeps up can always get it)', () => {
    const { peer, box, slow } = outbox();
    peer.reading = false;
    box.send('x'.repeat(LIMIT * 2));
    expect(peer.sent).toHaveLength(1);
    expect(slow).toEqual([]);
  });

  it('closes instead of writing what would take the buffer past the limit', () => {
    const { peer, box, slow } = outbox();
    peer.reading = false;
    box.send('a'.repeat(LIMIT - 100));
    box.send('b'.repeat(200));
    expect(peer.sent).toHaveLength(1);
    expect(slow).toHaveLength(1);
    box.send('c');
    expect(peer.sent).toHaveLength(1);
  });

  it('drops only droppable events past half the limit, and reports them once caught up', async () => {
    const { peer, box, dropped } = outbox();
    peer.reading = false;
    box.batch(() => {
      for (let i = 0; i < 20; i++) box.event({ json: 'o'.repeat(1000) }, true);
      box.event({ json: '{"type":"agent.status"}' }, false);
    });
    expect(peer.sent.filter((t) => t.startsWith('o'))).toHaveLength(6);
    expect(dropped()).toBe(14);
    expect(peer.sent.at(-1)).toContain('agent.status');
    peer.drain();
    await vi.waitFor(() => expect(peer.sent.at(-1)).toContain('"dropped":14'), { timeout: 2000 });
  });

  it('writes a replay only while under half the limit, then what was sent after it', async () => {
    const { peer, box } = outbox();
    peer.reading = false;
    const events = Array.from({ length: 30 }, (_, i) => `r${i}`.padEnd(1000, '.'));
    box.replay(events[Symbol.iterator](), () => 'complete');
    box.send('after');
    expect(peer.sent.length).toBeLessThanOrEqual(6);
    peer.reading = true;
    peer.drain();
    await vi.waitFor(() => expect(peer.sent.at(-1)).toBe('after'), { timeout: 2000 });
    expect(peer.sent.slice(-2)).toEqual(['complete', 'after']);
    expect(peer.sent.slice(0, 30).map((t) => t.split('.')[0])).toEqual(events.map((e) => e.split('.')[0]));
  });
});

import { describe, expect, it } from 'vitest';
import { History } from '../../src/hub/history.ts';
import { Sequencer } from '../../src/hub/sequencer.ts';

const fill = (history: History, sequencer: Sequencer, n: number, at = Date.now()) => {
  for (const entry of sequencer.stamp(
    Array.from({ length: n }, () => ({ type: 'system.source', data: { state: 'connected', message: '' } })),
    at,
  )) {
    history.push(entry);
  }
};

describe('History', () => {
  it('returns events after since, up to a bound, oldest first', () => {
    const history = new History({ size: 10, ttlMs: 60_000 });
    const sequencer = new Sequencer();
    fill(history, sequencer, 5);
    const replay = history.since(2, 4);
    expect(replay.events.map((e) => e.event.seq)).toEqual([3, 4]);
    expect(replay.complete).toBe(true);
  });

  it('keeps only the last N and says when since is no longer covered', () => {
    const history = new History({ size: 3, ttlMs: 60_000 });
    const sequencer = new Sequencer();
    fill(history, sequencer, 7);
    expect(history.size).toBe(3);
    expect(history.since(0, 7).complete).toBe(false);
    expect(history.since(3, 7).complete).toBe(false);
    const ok = history.since(4, 7);
    expect(ok.complete).toBe(true);
    expect(ok.events.map((e) => e.event.seq)).toEqual([5, 6, 7]);
  });

  it('drops events older than the TTL', () => {
    const history = new History({ size: 10, ttlMs: 1000 });
    const sequencer = new Sequencer();
    fill(history, sequencer, 3, 0);
    fill(history, sequencer, 2, 5000);
    const replay = history.since(0, 5, 5500);
    expect(replay.events.map((e) => e.event.seq)).toEqual([4, 5]);
    expect(replay.complete).toBe(false);
    expect(history.since(3, 5, 5500).complete).toBe(true);
  });

  it('treats a since beyond the last issued seq as incomplete (another epoch)', () => {
    const history = new History({ size: 10, ttlMs: 60_000 });
    const sequencer = new Sequencer();
    fill(history, sequencer, 2);
    expect(history.since(50, 2).complete).toBe(false);
    expect(history.since(2, 2)).toEqual({ events: [], complete: true });
  });

  it('holds nothing with size 0 yet still judges completeness', () => {
    const history = new History({ size: 0, ttlMs: 60_000 });
    const sequencer = new Sequencer();
    fill(history, sequencer, 2);
    expect(history.since(1, 2).complete).toBe(false);
    expect(history.since(2, 2).complete).toBe(true);
  });
});

describe('Sequencer', () => {
  it('numbers events consecutively and serializes each once', () => {
    const sequencer = new Sequencer();
    const batch = sequencer.stamp([
      { type: 'window.removed', session: 's', window: 1, data: {} },
      { type: 'window.activated', session: 's', window: 2, data: {} },
    ]);
    expect(batch.map((e) => e.event.seq)).toEqual([1, 2]);
    expect(JSON.parse(batch[1]!.json)).toEqual(batch[1]!.event);
    expect(sequencer.last).toBe(2);
  });
});

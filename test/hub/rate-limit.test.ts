import { describe, expect, it } from 'vitest';
import { FailedAuthTracker, TokenBucket, WindowCounter } from '../../src/hub/rate-limit.ts';

describe('TokenBucket', () => {
  it('allows a burst, then the rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    expect(Array.from({ length: 6 }, () => bucket.take(0))).toEqual([true, true, true, true, true, false]);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(10_000)).toBe(true);
  });
});

describe('WindowCounter', () => {
  it('counts within a sliding window', () => {
    const counter = new WindowCounter(1000);
    expect(counter.hit(0)).toBe(1);
    expect(counter.hit(500)).toBe(2);
    expect(counter.hit(1200)).toBe(2);
    expect(counter.count(2600)).toBe(0);
  });
});

describe('FailedAuthTracker', () => {
  it('blocks an address past the limit until failures age out', () => {
    const tracker = new FailedAuthTracker(3, 60_000);
    for (let i = 0; i < 3; i++) tracker.record('1.2.3.4', i);
    expect(tracker.isBlocked('1.2.3.4', 10)).toBe(true);
    expect(tracker.isBlocked('5.6.7.8', 10)).toBe(false);
    expect(tracker.isBlocked('1.2.3.4', 60_003)).toBe(false);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { settledWithin, timeLimited } from '../src/time-limit.ts';

const never = new Promise<never>(() => {});

afterEach(() => {
  vi.useRealTimers();
});

describe('timeLimited', () => {
  it('answers with the promise when it settles first, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    await expect(timeLimited(Promise.resolve(7), 1000, () => new Error('late'))).resolves.toBe(7);
    await expect(timeLimited(Promise.reject(new Error('own')), 1000, () => new Error('late'))).rejects.toThrow('own');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the late error once the time has passed', async () => {
    vi.useFakeTimers();
    const limited = timeLimited(never, 1000, () => new Error('too slow'));
    const outcome = expect(limited).rejects.toThrow('too slow');
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
  });
});

describe('settledWithin', () => {
  it('resolves when the promise settles either way, or when the time is up', async () => {
    vi.useFakeTimers();
    await expect(settledWithin(Promise.reject(new Error('x')), 1000)).resolves.toBeUndefined();
    await expect(settledWithin(undefined, 1000)).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    let done = false;
    const waiting = settledWithin(never, 1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });
});

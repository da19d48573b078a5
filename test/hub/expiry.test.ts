import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpirySchedule } from '../../src/hub/expiry.ts';

describe('ExpirySchedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps one timer per expiry time and expires each member once, at that time', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const expired: string[] = [];
    const schedule = new ExpirySchedule<string>((member) => expired.push(member));
    schedule.add(1_060_000, 'a');
    schedule.add(1_060_000, 'b');
    schedule.add(1_120_000, 'c');
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(59_999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(schedule.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forgets a member that is deleted, and drops the timer with its last member', () => {
    vi.useFakeTimers({ now: 0 });
    const expired: string[] = [];
    const schedule = new ExpirySchedule<string>((member) => expired.push(member));
    schedule.add(5_000, 'a');
    schedule.add(5_000, 'b');
    schedule.delete(5_000, 'a');
    expect(vi.getTimerCount()).toBe(1);
    schedule.delete(5_000, 'b');
    schedule.delete(5_000, 'b');
    schedule.delete(9_999, 'nobody');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(expired).toEqual([]);
  });

  it('waits out an expiry beyond what one setTimeout can hold', () => {
    vi.useFakeTimers({ now: 0 });
    const expired: string[] = [];
    const schedule = new ExpirySchedule<string>((member) => expired.push(member));
    const at = 40 * 24 * 3600_000; // 40 days: past setTimeout's ~24.8
    schedule.add(at, 'a');
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(expired).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(at - (2 ** 31 - 1));
    expect(expired).toEqual(['a']);
  });

  it('expires at once a member whose time has passed', () => {
    vi.useFakeTimers({ now: 10_000 });
    const expired: string[] = [];
    const schedule = new ExpirySchedule<string>((member) => expired.push(member));
    schedule.add(5_000, 'late');
    vi.advanceTimersByTime(0);
    expect(expired).toEqual(['late']);
  });
});

/**
 * The clock every process of the bench stamps and reads: wall-clock milliseconds with
 * microsecond resolution, `performance.timeOrigin + performance.now()`, corrected by
 * this process's own offset from the system clock.
 *
 * Why corrected: a runtime reads its time origin and the system clock at two moments of
 * its start-up; on a busy machine the process can be descheduled in between, and its
 * wall clock is then off by that long (a few ms seen here) for its whole life. So each
 * process measures its offset at load: at each edge of `Date.now()` (a system-clock
 * millisecond boundary) the fine clock should read a whole millisecond; the median
 * difference is the offset. (`process.hrtime` would not do: Bun's and Deno's count from
 * their own start, not a shared zero.)
 */
export function clockOffset(sampleMs = 60) {
  const diffs = [];
  let last = Date.now();
  const end = last + sampleMs;
  for (;;) {
    const d = Date.now();
    if (d !== last) {
      diffs.push(performance.timeOrigin + performance.now() - d);
      last = d;
      if (d >= end) break;
    }
  }
  diffs.sort((a, b) => a - b);
  return diffs[diffs.length >> 1];
}

const OFFSET = clockOffset();

export const now = () => performance.timeOrigin + performance.now() - OFFSET;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns a truthy value or `timeoutMs` passes. */
export async function until(check, { timeoutMs = 5000, everyMs = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * The clock every process of the bench stamps and reads: wall-clock milliseconds with
 * microsecond resolution. Node, Bun and Deno agree on it across processes (each derives
 * `timeOrigin` from the system clock at start); `process.hrtime` does not (Bun's and
 * Deno's count from their own start).
 */
export const now = () => performance.timeOrigin + performance.now();

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

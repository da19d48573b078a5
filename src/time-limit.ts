/**
 * Waiting on a promise for a bounded time. The timer is cleared as soon as the promise
 * settles, so a wait that ends early keeps nothing alive (a process can exit at once).
 */

/** `promise`, or a rejection with `late()` if `ms` pass before it settles. */
export function timeLimited<T>(promise: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Resolves once `promise` settles, either way, or once `ms` have passed; never rejects. */
export async function settledWithin(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  await timeLimited(Promise.resolve(promise), ms, () => new Error(`not settled within ${ms} ms`)).catch(() => {});
}

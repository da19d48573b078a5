/**
 * One `events()` iterator: an unbounded queue the monitor pushes into and the caller
 * pulls from. It ends when the monitor closes, or throws when the connection ended with
 * an error (terminal close code).
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  readonly #buffer: T[] = [];
  readonly #waiters: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  #finished = false;
  #error: unknown = undefined;
  readonly #onReturn: () => void;

  constructor(onReturn: () => void) {
    this.#onReturn = onReturn;
  }

  push(value: T): void {
    if (this.#finished) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ value, done: false });
    else this.#buffer.push(value);
  }

  /** No more values: pending and later `next()` calls end (or throw `error` once the buffer is drained). */
  finish(error?: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    const waiters = this.#waiters.splice(0);
    // The error is thrown once: to a waiting `next()` now, else to the next `next()` call.
    this.#error = waiters.length > 0 ? undefined : error;
    for (const [i, waiter] of waiters.entries()) {
      if (error === undefined || i > 0) waiter.resolve({ value: undefined, done: true });
      else waiter.reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#buffer.length > 0) return Promise.resolve({ value: this.#buffer.shift() as T, done: false });
    if (this.#finished) {
      const error = this.#error;
      this.#error = undefined; // throw once, then behave like an ended iterator
      return error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.#buffer.length = 0;
    this.finish();
    this.#onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

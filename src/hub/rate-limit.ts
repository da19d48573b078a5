/** A token bucket: `rate` tokens a second, holding at most `burst`. */
export class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.updated = now;
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updated) / 1000) * this.rate);
    this.updated = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Counts occurrences within a sliding window: "10 violations in 10 s". */
export class WindowCounter {
  private times: number[] = [];

  constructor(private readonly windowMs: number) {}

  /** Records one occurrence and returns how many fall within the window. */
  hit(now = Date.now()): number {
    this.prune(now);
    this.times.push(now);
    return this.times.length;
  }

  count(now = Date.now()): number {
    this.prune(now);
    return this.times.length;
  }

  private prune(now: number): void {
    const oldest = now - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! <= oldest) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }
}

/**
 * Failed `auth` attempts per remote address. Past the limit an address is refused at
 * once (close 4429) until its failures age out of the window. Addresses with no recent
 * failures are forgotten so the map cannot grow without bound.
 */
export class FailedAuthTracker {
  private readonly failures = new Map<string, WindowCounter>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  record(address: string, now = Date.now()): void {
    let counter = this.failures.get(address);
    if (!counter) {
      if (this.failures.size >= 10_000) this.sweep(now);
      counter = new WindowCounter(this.windowMs);
      this.failures.set(address, counter);
    }
    counter.hit(now);
  }

  isBlocked(address: string, now = Date.now()): boolean {
    const counter = this.failures.get(address);
    return counter !== undefined && counter.count(now) >= this.limit;
  }

  private sweep(now: number): void {
    for (const [address, counter] of this.failures) if (counter.count(now) === 0) this.failures.delete(address);
  }
}

/**
 * Latency statistics. `summarize` gives exact percentiles of a list of samples (the
 * latency scenarios: hundreds to thousands of samples). `Histogram` records millions of
 * samples in constant memory (the fan-out scenario, where every delivered message is a
 * sample) at about 1.6 % precision, and merges across worker processes.
 */

/** Exact percentiles (nearest rank) of samples in milliseconds. */
export function summarize(samples) {
  if (samples.length === 0) return { count: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null };
  const sorted = Float64Array.from(samples).sort();
  const rank = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: round(sorted[0]),
    mean: round(sum / sorted.length),
    p50: round(rank(0.5)),
    p95: round(rank(0.95)),
    p99: round(rank(0.99)),
    max: round(sorted[sorted.length - 1]),
  };
}

export function round(value, digits = 3) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// Log-linear buckets over integer microseconds: exact below 128 µs, then 64 buckets per
// power of two (so a bucket is at most 1/64 of its value wide).
const LINEAR = 128;
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
const BUCKETS = LINEAR + (31 - 7) * SUB;

function bucketOf(us) {
  if (us < LINEAR) return us;
  const exp = 31 - Math.clz32(us); // floor(log2), >= 7
  const sub = (us >>> (exp - SUB_BITS)) & (SUB - 1);
  return Math.min(BUCKETS - 1, LINEAR + (exp - 7) * SUB + sub);
}

function bucketValue(bucket) {
  if (bucket < LINEAR) return bucket;
  const exp = Math.floor((bucket - LINEAR) / SUB) + 7;
  const sub = (bucket - LINEAR) % SUB;
  const low = (SUB + sub) * 2 ** (exp - SUB_BITS);
  return low + 2 ** (exp - SUB_BITS) / 2; // middle of the bucket
}

export class Histogram {
  constructor() {
    this.counts = new Float64Array(BUCKETS);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /** Records a latency in milliseconds (negative clock noise counts as 0). */
  record(ms) {
    const us = ms <= 0 ? 0 : Math.min(2 ** 31 - 1, Math.round(ms * 1000));
    this.counts[bucketOf(us)]++;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** A compact, JSON-safe form: [bucket, count] pairs of the non-empty buckets. */
  toJSON() {
    const pairs = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) pairs.push([i, this.counts[i]]);
    return { pairs, count: this.count, sum: this.sum, min: this.min, max: this.max };
  }

  static from(json) {
    const h = new Histogram();
    h.merge(json);
    return h;
  }

  merge(json) {
    for (const [i, n] of json.pairs) this.counts[i] += n;
    this.count += json.count;
    this.sum += json.sum;
    if (json.count > 0) {
      this.min = Math.min(this.min, json.min);
      this.max = Math.max(this.max, json.max);
    }
    return this;
  }

  percentile(p) {
    if (this.count === 0) return null;
    const target = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= target) return Math.min(this.max, Math.max(this.min, bucketValue(i) / 1000));
    }
    return this.max;
  }

  summary() {
    if (this.count === 0) return { count: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null };
    return {
      count: this.count,
      min: round(this.min),
      mean: round(this.sum / this.count),
      p50: round(this.percentile(0.5)),
      p95: round(this.percentile(0.95)),
      p99: round(this.percentile(0.99)),
      max: round(this.max),
    };
  }
}

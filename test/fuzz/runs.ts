/**
 * How hard the property tests push: a bounded run in `npm test` (FUZZ_RUNS unset), a long
 * one in `npm run fuzz` (FUZZ_RUNS=50000 by default there). A failure prints fast-check's
 * seed and path, so it replays with `FUZZ_SEED=… FUZZ_PATH=…`.
 */
import type { Parameters } from 'fast-check';

export const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Per-test timeout that grows with the number of runs. */
export const TIMEOUT_MS = Math.max(30_000, RUNS * 10);

export function runs<T>(scale = 1): Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns: Math.max(1, Math.round(RUNS * scale)), seed, path: process.env.FUZZ_PATH };
}

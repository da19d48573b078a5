/**
 * The fan-out workload, shared by the tmux-monitor bench server and the baseline so that
 * both send the same events: `pane.output` events of a realistic size (a ~200-character
 * chunk of build output, its preview and location), at a steady rate.
 *
 * Each event carries its scheduled send time at the start of its content (`T<ms> …`).
 * Scheduled, not actual: when the server falls behind and the generator runs late, that
 * lateness counts as latency (no coordinated omission).
 */
import type { RawEvent } from '../../src/protocol/events.ts';

export interface LoadSpec {
  /** Events per second. */
  rate: number;
  seconds: number;
  /** Characters of content per event. */
  size: number;
}

export interface LoadResult {
  emitted: number;
  elapsedMs: number;
  /** Largest gap between the scheduled and actual generation of an event. */
  maxGeneratorLagMs: number;
}

/** This process's wall-clock offset, measured as bench/lib/clock.mjs does (see there why). */
function clockOffset(sampleMs = 60): number {
  const diffs: number[] = [];
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
  return diffs[diffs.length >> 1]!;
}
const OFFSET = clockOffset();
const now = (): number => performance.timeOrigin + performance.now() - OFFSET;
/** The clock events are stamped with (`GET /bench/clock` reads it, so the bench can check it). */
export const benchNow = now;
const MAX_BATCH = 1000;

const FILLER =
  '[build] compiling src/hub/connection.ts … ok (12 ms); src/hub/filters.ts … ok (3 ms); src/tmux/source/tmux-source.ts … ok (41 ms); ' +
  'bundling dist/tmux-monitor.mjs with esbuild, target node20 deno2, format esm; warnings: 0; errors: 0; ';

export function parseLoad(query: (name: string) => string | undefined): LoadSpec {
  const num = (name: string, fallback: number, max: number): number => {
    const value = Number(query(name) ?? fallback);
    if (!Number.isFinite(value) || value < 0 || value > max) throw new Error(`bad ${name}`);
    return value;
  };
  return { rate: num('rate', 1000, 1_000_000), seconds: num('seconds', 1, 120), size: num('size', 200, 16_384) };
}

export function makeEvent(index: number, sentAt: number, size: number): RawEvent {
  const stamp = `T${sentAt.toFixed(3)} `;
  let body = '';
  while (body.length < size - stamp.length) body += FILLER;
  const content = (stamp + body).slice(0, Math.max(stamp.length, size - 1)) + '\n';
  const pane = index % 4;
  return {
    type: 'pane.output',
    session: 'bench',
    session_id: '$0',
    window: 0,
    window_id: '@0',
    window_name: 'build',
    pane,
    pane_id: `%${pane}`,
    data: { content, preview: content.slice(-121, -1).trim(), severity: 'info', bytes: content.length },
  };
}

/** Generates `rate` events a second for `seconds`, handing each due batch to `push`. */
export function emitLoad(spec: LoadSpec, push: (events: RawEvent[]) => void): Promise<LoadResult> {
  const total = Math.round(spec.rate * spec.seconds);
  const interval = 1000 / spec.rate;
  const start = now();
  let emitted = 0;
  let maxLag = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const t = now();
      const due = Math.min(total, Math.floor((t - start) / interval) + 1);
      // Catching up after a stall can mean many events at once: hand them over in slices
      // (the memory source spreads a batch into arguments; too many overflow the stack).
      while (due > emitted) {
        const batch: RawEvent[] = [];
        for (const end = Math.min(due, emitted + MAX_BATCH); emitted < end; emitted++) {
          const scheduled = start + emitted * interval;
          maxLag = Math.max(maxLag, t - scheduled);
          batch.push(makeEvent(emitted, scheduled, spec.size));
        }
        push(batch);
      }
      if (emitted >= total) resolve({ emitted, elapsedMs: now() - start, maxGeneratorLagMs: Math.round(maxLag * 1000) / 1000 });
      else setTimeout(tick, Math.max(0, Math.min(20, start + emitted * interval - now())));
    };
    tick();
  });
}

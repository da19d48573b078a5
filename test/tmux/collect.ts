/** Reads a source's events into an array; tests wait for the event they expect, with a timeout. */
import type { EventType, RawEvent } from '../../src/protocol/events.ts';
import type { EventSource } from '../../src/protocol/source.ts';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import { startTmux, type StartTmuxOptions, type TestTmux } from '../helpers/tmux.ts';

export class Collected {
  readonly events: RawEvent[] = [];
  private waiters: (() => void)[] = [];
  done: Promise<void>;

  constructor(source: EventSource) {
    this.done = (async () => {
      for await (const batch of source.events()) {
        this.events.push(...batch);
        for (const w of this.waiters.splice(0)) w();
      }
    })();
  }

  /** Index to pass as `from` to only see events after this point. */
  mark(): number {
    return this.events.length;
  }

  of<T extends EventType>(type: T, from = 0): Extract<RawEvent, { type: T }>[] {
    return this.events.slice(from).filter((e): e is Extract<RawEvent, { type: T }> => e.type === type);
  }

  async waitFor<T extends EventType>(
    type: T,
    predicate: (e: Extract<RawEvent, { type: T }>) => boolean = () => true,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<Extract<RawEvent, { type: T }>> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const hit = this.of(type, options.from ?? 0).find(predicate);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events
          .slice(options.from ?? 0)
          .map((e) => `${e.type}${'pane_id' in e && e.pane_id ? ' ' + e.pane_id : ''} ${JSON.stringify(e.data).slice(0, 120)}`);
        throw new Error(`timed out waiting for ${type}; saw:\n${seen.slice(-40).join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** All pane.output text of a pane so far. */
  text(paneId: string, from = 0): string {
    return this.of('pane.output', from)
      .filter((e) => e.pane_id === paneId)
      .map((e) => e.data.content)
      .join('');
  }
}

/** A private tmux server and a connected source watching it, its events collected: one test file's setting. */
export async function startWatched(options: StartTmuxOptions = {}): Promise<{ t: TestTmux; source: TmuxSource; events: Collected }> {
  const t = await startTmux(options);
  const source = createTmuxSource({ socketName: t.socketName });
  const events = new Collected(source);
  await source.ready();
  return { t, source, events };
}

/** Ends what startWatched started (either may be missing if the start failed). */
export async function stopWatched(t: TestTmux | undefined, source: TmuxSource | undefined): Promise<void> {
  await source?.close();
  await t?.kill();
}

/**
 * The hand-off between the tmux reader and the consumer. `push` never blocks: the reader
 * must keep draining tmux whatever the consumer does. When the consumer falls behind,
 * queued `pane.output` events are dropped oldest first once they pass `maxOutputBytes`
 * (structure and status events are always kept), and the count is kept in `dropped`.
 */
import type { RawEvent } from '../../protocol/events.ts';

export class EventQueue {
  private batches: RawEvent[][] = [];
  private outputBytes = 0;
  private waiter: ((done: boolean) => void) | null = null;
  private ended = false;
  /** pane.output events dropped because the consumer was too slow. */
  dropped = 0;

  constructor(private readonly maxOutputBytes = 8 * 1024 * 1024) {}

  /** Characters of pane.output content waiting for the consumer. */
  get queuedOutputBytes(): number {
    return this.outputBytes;
  }

  push(batch: RawEvent[]): void {
    if (this.ended || batch.length === 0) return;
    this.batches.push(batch);
    for (const e of batch) if (e.type === 'pane.output') this.outputBytes += e.data.content.length;
    if (this.outputBytes > this.maxOutputBytes) this.shed();
    this.wake(false);
  }

  end(): void {
    this.ended = true;
    this.wake(true);
  }

  /** Events in the order pushed; each pull returns everything queued as one batch. */
  async *drain(): AsyncGenerator<RawEvent[]> {
    for (;;) {
      if (this.batches.length > 0) {
        const batches = this.batches;
        this.batches = [];
        this.outputBytes = 0;
        yield batches.length === 1 ? batches[0]! : batches.flat();
        continue;
      }
      if (this.ended) return;
      await new Promise<boolean>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(done: boolean): void {
    const w = this.waiter;
    this.waiter = null;
    w?.(done);
  }

  private shed(): void {
    for (let i = 0; i < this.batches.length && this.outputBytes > this.maxOutputBytes / 2; i++) {
      const batch = this.batches[i]!;
      const kept = batch.filter((e) => {
        if (e.type !== 'pane.output' || this.outputBytes <= this.maxOutputBytes / 2) return true;
        this.outputBytes -= e.data.content.length;
        this.dropped++;
        return false;
      });
      this.batches[i] = kept;
    }
    this.batches = this.batches.filter((b) => b.length > 0);
  }
}

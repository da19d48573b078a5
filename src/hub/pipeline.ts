/**
 * The event pipeline, as async generators: source → stamp → history → fan-out.
 * Each stage works on batches, so a burst read from tmux in one chunk is stamped,
 * stored and fanned out with one pass over the connections.
 */
import type { RawEvent } from '../protocol/events.ts';
import type { History } from './history.ts';
import type { Sequencer, StampedEvent } from './sequencer.ts';

export async function* stamp(batches: AsyncIterable<RawEvent[]>, sequencer: Sequencer): AsyncGenerator<StampedEvent[]> {
  for await (const batch of batches) if (batch.length > 0) yield sequencer.stamp(batch);
}

export async function* remember(batches: AsyncIterable<StampedEvent[]>, history: History): AsyncGenerator<StampedEvent[]> {
  for await (const batch of batches) {
    for (const entry of batch) history.push(entry);
    yield batch;
  }
}

import { describe, expect, it } from 'vitest';
import { paced } from '../../src/runtime/paced.ts';

/** Chunks that are all ready at once, as a busy pipe's are. */
async function* ready(chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

/** What happened, in order: chunk lengths and the moment a timer (a macrotask) fired. */
async function order(source: AsyncIterable<string>): Promise<string[]> {
  const seen: string[] = [];
  setTimeout(() => seen.push('timer'), 0);
  for await (const chunk of source) seen.push(String(chunk.length));
  seen.push('end');
  await new Promise((resolve) => setTimeout(resolve, 0));
  return seen;
}

describe('paced', () => {
  const chunks = Array.from({ length: 4 }, () => 'x'.repeat(40 * 1024));

  it('gives the event loop a turn once 64 KiB have been read', async () => {
    const seen = await order(paced(ready(chunks)));
    expect(seen).toEqual(['40960', '40960', 'timer', '40960', '40960', 'end']);
  });

  it('passes every chunk through, in order', async () => {
    const got: string[] = [];
    for await (const chunk of paced(ready(['a', 'bb', 'ccc']), 2)) got.push(chunk);
    expect(got).toEqual(['a', 'bb', 'ccc']);
  });

  it('is needed: ready chunks alone never let a timer in', async () => {
    const seen = await order(ready(chunks));
    expect(seen.indexOf('timer')).toBeGreaterThan(seen.indexOf('end'));
  });
});

/**
 * Reading that gives the event loop a turn now and then, for Deno.
 *
 * Deno writes a WebSocket's frames only once JavaScript yields to the event loop, and it
 * reads a busy pipe eagerly, without yielding: 30 and more reads of 64 KiB in one go,
 * measured. Events read in such a run reach no client until the run ends, and what the
 * run sends to a reader that stopped reading is not seen in the send buffer until then
 * (see `denoPeer`). A macrotask every `bytes` read bounds the run, at the cost of one
 * timer per 64 KiB. Node and Bun write at once and need none of this.
 */
export async function* paced<T extends { length: number }>(chunks: AsyncIterable<T>, bytes = 64 * 1024): AsyncGenerator<T> {
  let read = 0;
  for await (const chunk of chunks) {
    yield chunk;
    read += chunk.length;
    if (read >= bytes) {
      read = 0;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}

import { describe, expect, it } from 'vitest';
import { type DenoWebSocket, denoPeer } from '../../src/runtime/deno-websocket.ts';

/**
 * Deno's socket as the peer sees it: sends queue at once and leave the queue only when
 * `write()` says the network took them (Deno's writer task runs after JavaScript yields).
 * The runtime's real behaviour is covered by the end-to-end suite on Deno; this pins the
 * accounting, which that suite can only catch under load.
 */
class QueueingSocket extends EventTarget {
  readyState = 1;
  protocol = '';
  binaryType = 'arraybuffer';
  bufferedAmount = 0;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  send(data: string): void {
    this.bufferedAmount += data.length;
  }
  /** The network took `bytes` of what is queued. */
  write(bytes: number): void {
    this.bufferedAmount = Math.max(0, this.bufferedAmount - bytes);
  }
  close(): void {
    this.readyState = 3;
  }
}

const chunk = 'y'.repeat(16 * 1024);
/** A quarter of a 256 KiB send-buffer limit, as the Deno kit passes it. */
const leaveOutAtMost = 64 * 1024;

describe('denoPeer send-buffer accounting', () => {
  it('leaves out a batch sent to a drained socket (a fast reader is not slow)', () => {
    const socket = new QueueingSocket();
    const peer = denoPeer(socket as unknown as DenoWebSocket, leaveOutAtMost);
    for (let i = 0; i < 4; i++) peer.send(chunk);
    expect(socket.bufferedAmount).toBe(4 * chunk.length);
    expect(peer.bufferedAmount).toBe(0);
  });

  it('leaves out no more than its bound, however long the turn', () => {
    const socket = new QueueingSocket();
    const peer = denoPeer(socket as unknown as DenoWebSocket, leaveOutAtMost);
    // One timer turn spans many I/O callbacks: Deno writes part, then a paused reader's window is full.
    for (let i = 0; i < 8; i++) peer.send(chunk);
    socket.write(3 * chunk.length);
    for (let i = 0; i < 8; i++) peer.send(chunk);
    expect(peer.bufferedAmount).toBe(13 * chunk.length - leaveOutAtMost);
  });

  it('counts a batch in full when the socket still held bytes from before', async () => {
    const socket = new QueueingSocket();
    const peer = denoPeer(socket as unknown as DenoWebSocket, leaveOutAtMost);
    peer.send(chunk);
    await new Promise((resolve) => setTimeout(resolve, 0));
    peer.send(chunk);
    peer.send(chunk);
    expect(peer.bufferedAmount).toBe(3 * chunk.length);
  });
});

/**
 * Issue 12, failure 1, over a real socket: a viewer that stops reading and keeps sending
 * `snapshot` with `lines: 2000` must cost the server at most the send-buffer limit and be
 * closed with 4503 (before, replies were written without the send-buffer check and the
 * server's memory grew without bound, with no 4503).
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const LIMIT = 256 * 1024;
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ auth: false, sendBufferLimit: LIMIT, rateLimit: { perSecond: 1000, burst: 1000 } });
  const line = 'building… compiling src/hub/connection.ts and friends, warnings: 0, errors: 0 ....\n';
  const session: SessionSnapshot = {
    name: 'big',
    id: '$0',
    attached: 0,
    created: new Date(0).toISOString(),
    windows: [
      {
        index: 0,
        id: '@0',
        name: 'w',
        active: true,
        panes: [0, 1].map((i) => ({
          index: i,
          id: `%${i}`,
          pid: 1,
          command: 'sh',
          title: '',
          path: '/',
          dead: false,
          agent: { status: 'unknown' as never, agent_type: 'none' },
          content: line.repeat(2000),
        })),
      },
    ],
  };
  server.source.sessions = [session];
});
afterAll(() => server.close());

/** A masked client text frame. */
function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  return Buffer.concat([header, mask, payload]);
}

/** Reads server frames from `data` until a close frame; returns its code, or undefined if it has not come yet. */
function closeCodeIn(data: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = data[at]! & 0x0f;
    let length = data[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > data.length) return undefined;
      length = data.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > data.length) return undefined;
      length = Number(data.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (at + header + length > data.length) return undefined;
    if (opcode === 8) return data.readUInt16BE(at + header);
    at += header + length;
  }
  return undefined;
}

it('closes a reader that stops reading and keeps asking for 2000-line snapshots with 4503, holding at most the limit', async () => {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET /monitor HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let received = Buffer.alloc(0);
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.includes('connection.established')) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
  });
  // From here on the client reads nothing, and keeps asking.
  socket.pause();
  const { metrics } = server.monitor.hub;
  const deadline = Date.now() + 20_000;
  let sent = 0;
  while (metrics.slowConsumerCloses === 0) {
    if (Date.now() > deadline) throw new Error(`no 4503 after ${sent} snapshot requests; peak held ${metrics.sendBufferPeak} bytes`);
    socket.write(frame(JSON.stringify({ action: 'snapshot', id: sent++, lines: 2000 })));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The most the server ever held for this client: its limit.
  expect(metrics.sendBufferPeak).toBeLessThanOrEqual(LIMIT);
  // The client reads again: everything queued, then the close frame with 4503.
  const code = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no close frame')), 10_000);
    const look = () => {
      const found = closeCodeIn(received.subarray(received.indexOf('\r\n\r\n') + 4));
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      look();
    });
    socket.resume();
  });
  socket.destroy();
  expect(code).toBe(4503);
});

/**
 * `send` delivers every byte of its text, NUL and control bytes included (issue 12,
 * failure 5: a NUL cut the text short and the reply said success). A real tmux pane in raw
 * mode copies exactly what it receives into a file, which the test compares byte by byte.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeTextArgs } from '../../src/tmux/control/keys.ts';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { TestClient } from '../helpers/ws-client.ts';

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f';
const TEXT = `a\0b|${CONTROL}|héllo ✓ 😀|\x1b[A|"$HOME" \\ 'q'|\0\0end`;
const BYTES = Buffer.from(TEXT, 'utf8');

describe('typeTextArgs', () => {
  it('sends control runs as hex and the rest literally, in order', () => {
    expect(typeTextArgs('plain')).toEqual([['-l', '--', 'plain']]);
    expect(typeTextArgs('a\0b')).toEqual([
      ['-l', '--', 'a'],
      ['-H', '00'],
      ['-l', '--', 'b'],
    ]);
    expect(typeTextArgs('\x1b[A\r\n')).toEqual([
      ['-H', '1b'],
      ['-l', '--', '[A'],
      ['-H', '0d', '0a'],
    ]);
    expect(typeTextArgs('')).toEqual([]);
    const many = typeTextArgs('\0'.repeat(600));
    expect(many.map((c) => c.length - 1)).toEqual([256, 256, 88]);
  });
});

describe('send delivers exact bytes to a real pane', () => {
  let t: TestTmux;
  let source: TmuxSource;
  let server: TestServer<TmuxSource>;
  const out = join(tmpdir(), `tmux-monitor-bytes-${process.pid}-${Date.now()}`);

  beforeAll(async () => {
    // Raw, no echo, no line editing or signals: the pane's program reads exactly the bytes typed.
    const reader = `stty raw -echo -iexten; head -c ${BYTES.length} > ${out}; stty sane; exec sleep 600`;
    t = await startTmux({ session: 'bytes', command: `sh -c '${reader}'` });
    source = createTmuxSource({ socketName: t.socketName });
    await source.ready();
    server = await startServer({ source });
  });
  afterAll(async () => {
    await server?.close();
    await t?.kill();
    rmSync(out, { force: true });
  });

  it('types NUL, every control byte and non-ASCII text exactly, then says success', async () => {
    const client = await TestClient.authed(server.url, await server.token({ role: 'operator' }));
    try {
      const reply = await client.request({
        action: 'command',
        target: { session: 'bytes', window: 0 },
        command: 'send',
        text: TEXT,
        enter: false,
      });
      expect(reply).toMatchObject({ type: 'command.result', success: true });
      // The reader exits once it has all the bytes; wait for that (or time out).
      const deadline = Date.now() + 10_000;
      while (!(existsSync(out) && readFileSync(out).length >= BYTES.length) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect([...readFileSync(out)]).toEqual([...BYTES]);
    } finally {
      client.ws.terminate();
    }
  });

  it('refuses text it cannot type (a lone surrogate) with INVALID_MESSAGE', async () => {
    const client = await TestClient.authed(server.url, await server.token({ role: 'operator' }));
    try {
      // JSON.stringify keeps a lone surrogate as the escape \ud800, a valid JSON string.
      const reply = await client.request({ action: 'command', target: { session: 'bytes', window: 0 }, command: 'send', text: 'x\ud800y' });
      expect(reply).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    } finally {
      client.ws.terminate();
    }
  });
});

/**
 * Property tests for the control-mode parser: however tmux's stdout is cut into reads,
 * the same messages come out; `%output` data survives tmux's octal escaping byte for byte.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ControlParser } from '../../src/tmux/control/parser.ts';
import type { ControlMessage } from '../../src/tmux/control/messages.ts';
import { runs, TIMEOUT_MS } from './runs.ts';

const FIXTURES = ['structure.txt', 'output.txt', 'pause.txt'].map((name) =>
  readFileSync(new URL(`../tmux/fixtures/${name}`, import.meta.url)),
);

/** As tmux writes pane bytes in `%output`: bytes below a space and `\` become `\ooo`. */
function escapeOutput(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of data) {
    if (b < 0x20 || b === 0x5c) out.push(0x5c, ...[...b.toString(8).padStart(3, '0')].map((c) => c.charCodeAt(0)));
    else out.push(b);
  }
  return Uint8Array.from(out);
}

const encode = (s: string) => new TextEncoder().encode(s);
const join = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Lines tmux may write: notifications, reply blocks, output with any bytes, stray text. */
const paneId = fc.nat({ max: 5 }).map((n) => `%${n}`);
const word = fc.stringMatching(/^[\w@$%.-]{1,10}$/);
const line = fc.oneof(
  fc
    .tuple(paneId, fc.uint8Array({ maxLength: 60 }))
    .map(([id, data]) => join([encode(`%output ${id} `), escapeOutput(data), encode('\n')])),
  fc
    .tuple(paneId, fc.nat(), fc.uint8Array({ maxLength: 30 }))
    .map(([id, age, data]) => join([encode(`%extended-output ${id} ${age} : `), escapeOutput(data), encode('\n')])),
  fc
    .tuple(fc.nat({ max: 99 }), fc.array(fc.stringMatching(/^[^\n%]{0,30}$/), { maxLength: 3 }), fc.boolean())
    .map(([n, body, ok]) =>
      encode(`%begin 1700000000 ${n} 1\n${body.map((b) => `${b}\n`).join('')}%${ok ? 'end' : 'error'} 1700000000 ${n} 1\n`),
    ),
  fc
    .tuple(
      fc.constantFrom(
        'window-add',
        'window-close',
        'window-renamed',
        'session-renamed',
        'sessions-changed',
        'layout-change',
        'pause',
        'continue',
        'exit',
        'no-such',
      ),
      word,
      word,
    )
    .map(([name, a, b]) => encode(`%${name} ${a} ${b}\n`)),
  fc.stringMatching(/^[^\n]{0,20}$/).map((s) => encode(`${s}\r\n`)),
);
const transcript = fc.oneof(fc.array(line, { maxLength: 30 }).map(join), fc.constantFrom(...FIXTURES));

/** Any way to cut `bytes` into reads. */
function cuts(bytes: Uint8Array): fc.Arbitrary<Uint8Array[]> {
  return fc.uniqueArray(fc.nat({ max: bytes.length }), { maxLength: 20 }).map((points) => {
    const sorted = [0, ...points.sort((a, b) => a - b), bytes.length];
    return sorted.slice(1).map((end, i) => bytes.subarray(sorted[i]!, end));
  });
}

const parseAll = (chunks: Uint8Array[]): unknown[] => {
  const parser = new ControlParser();
  const messages: ControlMessage[] = chunks.flatMap((chunk) => parser.push(chunk));
  return messages.map((m) => ('data' in m ? { ...m, data: [...m.data] } : m));
};

describe('control-mode parser (property)', () => {
  it('yields the same messages however the transcript is split into chunks', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(
        transcript.chain((bytes) => fc.tuple(fc.constant(bytes), cuts(bytes))),
        ([bytes, chunks]) => {
          expect(parseAll(chunks)).toEqual(parseAll([bytes]));
        },
      ),
      runs(),
    );
  });

  it("round-trips any %output bytes through tmux's escaping, whatever the chunking", { timeout: TIMEOUT_MS }, () => {
    const frames = fc.array(fc.tuple(paneId, fc.uint8Array({ maxLength: 200 })), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(
        frames.chain((f) => {
          const bytes = join(f.map(([id, data]) => join([encode(`%output ${id} `), escapeOutput(data), encode('\n')])));
          return fc.tuple(fc.constant(f), cuts(bytes));
        }),
        ([f, chunks]) => {
          const parser = new ControlParser();
          const outputs = chunks.flatMap((c) => parser.push(c)).filter((m) => m.type === 'output');
          expect(outputs.map((m) => [m.paneId, [...m.data]])).toEqual(f.map(([id, data]) => [id, [...data]]));
          // Text: per pane, the concatenated text is the bytes decoded as one UTF-8 stream.
          for (const id of new Set(f.map(([pane]) => pane))) {
            const text = outputs
              .filter((m) => m.paneId === id)
              .map((m) => m.text)
              .join('');
            const all = join(f.filter(([pane]) => pane === id).map(([, d]) => d));
            expect(new TextDecoder().decode(all).startsWith(text)).toBe(true);
          }
        },
      ),
      runs(),
    );
  });
});

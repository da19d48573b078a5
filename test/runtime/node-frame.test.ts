/**
 * The Node kit writes live events as frames it encodes itself (`textFrame`), once for
 * every peer: each must be byte for byte what `ws` writes for the same text.
 */
import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { textFrame } from '../../src/runtime/node-websocket.ts';

/** ws's own framing (public on the module, though its types do not say so). */
const { Sender } = ws as unknown as { Sender: { frame(data: string, options: object): (Buffer | string)[] } };

function wsFrame(text: string): Buffer {
  const parts = Sender.frame(text, { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false });
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

describe('textFrame', () => {
  const texts = {
    empty: '',
    'one byte under the 2-byte length': 'a'.repeat(125),
    'the 2-byte length': 'a'.repeat(126),
    'largest 2-byte length': 'a'.repeat(65_535),
    'the 8-byte length': 'a'.repeat(65_536),
    'multi-byte characters across the 125 boundary': `${'é'.repeat(62)}x`,
    'an event': JSON.stringify({ type: 'pane.output', data: { content: 'ünïcødé ✓ 🚀\n' } }),
  };
  for (const [name, text] of Object.entries(texts)) {
    it(`is what ws writes: ${name}`, () => {
      expect(textFrame(text).equals(wsFrame(text))).toBe(true);
    });
  }
});

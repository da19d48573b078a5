import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ControlParser, parseNotification, unescapeOctal } from '../../src/tmux/control/parser.ts';
import type { ControlMessage, ControlOutput, ControlReply } from '../../src/tmux/control/messages.ts';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function parseAll(data: Uint8Array, chunk = data.length): ControlMessage[] {
  const parser = new ControlParser();
  const out: ControlMessage[] = [];
  for (let i = 0; i < data.length; i += chunk) out.push(...parser.push(data.subarray(i, i + chunk)));
  return out;
}

/** Output messages merged per pane, so that results compare equal however the input was cut. */
function normalise(messages: ControlMessage[]): unknown[] {
  const out: unknown[] = [];
  for (const m of messages) {
    const last = out[out.length - 1] as (ControlOutput & { bytes: number[] }) | undefined;
    if (m.type === 'output' && last?.type === 'output' && last.paneId === m.paneId) {
      last.text += m.text;
      last.bytes.push(...m.data);
    } else if (m.type === 'output') {
      out.push({ type: 'output', paneId: m.paneId, text: m.text, bytes: [...m.data] });
    } else {
      out.push(m);
    }
  }
  return out;
}

describe('ControlParser on recorded tmux 3.3a transcripts', () => {
  it('parses structure notifications and replies in order', () => {
    const messages = parseAll(fixture('structure.txt'));
    const types = messages.map((m) => m.type);
    expect(types).toContain('window-add');
    expect(types).toContain('window-renamed');
    expect(types).toContain('window-pane-changed');
    expect(types).toContain('layout-change');
    expect(types).toContain('sessions-changed');
    expect(types).toContain('session-renamed');
    expect(types).toContain('session-window-changed');
    expect(types).toContain('pane-mode-changed');
    expect(types).toContain('subscription-changed');
    expect(types).toContain('client-session-changed');
    expect(types).toContain('client-detached');
    expect(types.at(-1)).toBe('exit');

    const replies = messages.filter((m): m is ControlReply => m.type === 'reply');
    // The attach block (flags 0) then our four commands; numbers skip values.
    expect(replies[0]).toMatchObject({ flags: 0, ok: true, lines: [] });
    const ours = replies.filter((r) => r.flags === 1);
    expect(ours.map((r) => r.ok)).toEqual([true, true, false, true]);
    expect(ours[1]!.lines).toEqual(['@0 bash']);
    expect(ours[2]!.lines[0]).toMatch(/unknown command: bogus-command/);
    expect(ours[3]!.lines).toEqual(['done']);
    expect(ours[1]!.number).toBeGreaterThan(ours[0]!.number);

    expect(messages).toContainEqual({ type: 'window-add', windowId: '@1', unlinked: false });
    expect(messages).toContainEqual({ type: 'window-add', windowId: '@2', unlinked: true });
    expect(messages).toContainEqual({ type: 'window-close', windowId: '@1', unlinked: true });
    expect(messages).toContainEqual({ type: 'window-renamed', windowId: '@1', name: 'renamed', unlinked: false });
    expect(messages).toContainEqual({ type: 'session-renamed', sessionId: '$1', name: 'deux' });
    expect(messages).toContainEqual({ type: 'session-changed', sessionId: '$0', name: 'one' });
    expect(messages).toContainEqual({ type: 'client-session-changed', client: '/dev/pts/1', sessionId: '$1', name: 'deux' });
    expect(messages).toContainEqual({ type: 'client-detached', client: '/dev/pts/1' });
    expect(messages).toContainEqual({ type: 'pane-mode-changed', paneId: '%0' });
    const sub = messages.find((m) => m.type === 'subscription-changed' && m.value.includes('busy'));
    expect(sub).toMatchObject({ name: 'panes', sessionId: '$0', windowId: '-', paneId: '-' });
    const layout = messages.find((m) => m.type === 'layout-change');
    expect(layout).toMatchObject({ windowId: '@1', flags: '*' });
  });

  it('gives the same result however the bytes are chunked', () => {
    for (const name of ['structure.txt', 'output.txt', 'pause.txt']) {
      const data = fixture(name);
      const whole = normalise(parseAll(data));
      for (const chunk of [1, 2, 3, 7, 64, 4096]) {
        expect(normalise(parseAll(data, chunk)), `${name} in chunks of ${chunk}`).toEqual(whole);
      }
    }
  });

  it('unescapes %output to bytes and decodes UTF-8 after unescaping', () => {
    const messages = parseAll(fixture('output.txt'), 5);
    const text = messages
      .filter((m): m is ControlOutput => m.type === 'output')
      .map((m) => m.text)
      .join('');
    expect(text).toContain('\x1b[1;31mred\x1b[0m café 😀 tab\there back\\\\slash\r\n%end 1 2 1\r\n%begin 1 2 1\r\n');
    expect(text).not.toContain('\ufffd');
  });

  it('ends a reply block only on the exact guard line', () => {
    const replies = parseAll(fixture('output.txt')).filter((m): m is ControlReply => m.type === 'reply' && m.flags === 1);
    expect(replies).toHaveLength(2);
    const capture = replies[0]!;
    expect(capture.ok).toBe(true);
    expect(capture.lines).toContain('%end 1 2 1');
    expect(capture.lines).toContain('%begin 1 2 1');
    expect(capture.lines.some((l) => /^red café 😀 tab +here back\\\\slash$/.test(l))).toBe(true);
    expect(replies[1]!.lines).toEqual(['after capture']);
  });

  it('reads %extended-output, %pause and a %continue inside a reply block', () => {
    const messages = parseAll(fixture('pause.txt'), 1000);
    const extended = messages.filter((m): m is ControlOutput => m.type === 'output' && m.age !== undefined);
    expect(extended.length).toBeGreaterThan(0);
    expect(extended.map((m) => m.text).join('')).toContain('hello-extended');
    expect(messages).toContainEqual({ type: 'pause', paneId: '%0' });
    const cont = messages.findIndex((m) => m.type === 'continue');
    expect(cont).toBeGreaterThan(0);
    // The block that %continue interrupted still completes as one reply, with no stray lines.
    const reply = messages.slice(cont).find((m): m is ControlReply => m.type === 'reply');
    expect(reply).toMatchObject({ ok: true, lines: [], flags: 1 });
  });
});

describe('ControlParser edge cases', () => {
  it('decodes a UTF-8 character split across two %output lines', () => {
    const parser = new ControlParser();
    // "é" = C3 A9, "😀" = F0 9F 98 80; tmux sends raw bytes >= 0x80 unescaped.
    const a = parser.push(new Uint8Array([...enc('%output %1 caf'), 0xc3, 0x0a]));
    const b = parser.push(new Uint8Array([...enc('%output %1 '), 0xa9, 0xf0, 0x9f, 0x0a, ...enc('%output %1 '), 0x98, 0x80, 0x0a]));
    const text = [...a, ...b].map((m) => (m.type === 'output' ? m.text : '')).join('');
    expect(text).toBe('café😀');
  });

  it('keeps one decoder per pane', () => {
    const parser = new ControlParser();
    const msgs = parser.push(
      new Uint8Array([...enc('%output %1 '), 0xc3, 0x0a, ...enc('%output %2 x\n'), ...enc('%output %1 '), 0xa9, 0x0a]),
    );
    expect(msgs.map((m) => (m.type === 'output' ? `${m.paneId}:${m.text}` : ''))).toEqual(['%1:', '%2:x', '%1:é']);
  });

  it('unescapes octal escapes, including backslash itself', () => {
    expect([...unescapeOctal(enc('a\\033b\\134c\\015\\012'))]).toEqual([0x61, 0x1b, 0x62, 0x5c, 0x63, 0x0d, 0x0a]);
    expect([...unescapeOctal(enc('\\9x\\12'))]).toEqual([...enc('\\9x\\12')]);
  });

  it('matches a block to its own guard even with a different guard in the text', () => {
    const parser = new ControlParser();
    const msgs = parser.push(enc('%begin 10 20 1\n%end 10 20 0\n%end 10 21 1\n%error 1 2 1\n%end 10 20 1\n'));
    expect(msgs).toEqual([
      { type: 'reply', time: 10, number: 20, flags: 1, ok: true, lines: ['%end 10 20 0', '%end 10 21 1', '%error 1 2 1'] },
    ]);
  });

  it('parses every notification kind', () => {
    expect(parseNotification('%window-renamed @3 my window')).toEqual({
      type: 'window-renamed',
      windowId: '@3',
      name: 'my window',
      unlinked: false,
    });
    expect(parseNotification('%unlinked-window-renamed @3 x')).toEqual({
      type: 'window-renamed',
      windowId: '@3',
      name: 'x',
      unlinked: true,
    });
    expect(parseNotification('%session-renamed $1 a b')).toEqual({ type: 'session-renamed', sessionId: '$1', name: 'a b' });
    expect(parseNotification('%exit server exited unexpectedly')).toEqual({ type: 'exit', reason: 'server exited unexpectedly' });
    expect(parseNotification('%exit')).toEqual({ type: 'exit', reason: '' });
    expect(parseNotification('%subscription-changed s $1 @2 0 %3 : a : b')).toEqual({
      type: 'subscription-changed',
      name: 's',
      sessionId: '$1',
      windowId: '@2',
      windowIndex: '0',
      paneId: '%3',
      value: 'a : b',
    });
    expect(parseNotification('%client-session-changed /dev/pts/3 $2 my s')).toEqual({
      type: 'client-session-changed',
      client: '/dev/pts/3',
      sessionId: '$2',
      name: 'my s',
    });
    expect(parseNotification('%pause %4')).toEqual({ type: 'pause', paneId: '%4' });
    expect(parseNotification('%continue %4')).toEqual({ type: 'continue', paneId: '%4' });
    expect(parseNotification('%something-new 1')).toEqual({ type: 'unknown', line: '%something-new 1' });
  });
});

import { describe, expect, it } from 'vitest';
import type { RawEvent } from '../../src/protocol/events.ts';
import { AnsiStripper, stripAnsi } from '../../src/tmux/output/ansi.ts';
import { classify, LineClassifier, lineSeverity, preview } from '../../src/tmux/output/classify.ts';
import { OutputCoalescer } from '../../src/tmux/output/coalescer.ts';
import { EventQueue } from '../../src/tmux/source/event-queue.ts';
import { commandLine, quoteArg } from '../../src/tmux/control/quote.ts';

describe('LineClassifier', () => {
  it('leaves out the line typed at a prompt, however it arrives, and looks at each line once', () => {
    const c = new LineClassifier();
    const flagged: string[] = [];
    const take = (s: string) => flagged.push(...c.take(s).flagged.map((f) => f.line));
    take('$ ');
    for (const ch of 'echo "error: x"') take(ch);
    take('\nerror: x\n$ ');
    take('make\nmake: *** [all] Error 2\nwarning: partial');
    take(' line\n');
    expect(flagged).toEqual(['error: x', 'make: *** [all] Error 2', 'warning: partial line']);
  });

  it('a line printed in pieces by a program is still read', () => {
    const c = new LineClassifier();
    expect(c.take('compiling... ').flagged).toEqual([]);
    expect(c.take('failed\n')).toEqual({ severity: 'error', flagged: [{ severity: 'error', line: 'compiling... failed' }] });
  });
});

describe('AnsiStripper', () => {
  it('removes CSI, OSC, DCS, charset and two-byte sequences', () => {
    expect(
      stripAnsi('\x1b[1;31mred\x1b[0m \x1b]0;title\x07a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1bPq#0\x1b\\b\x1b(Bc\x1b=d\x1b[?2004h'),
    ).toBe('red alink bcd');
  });

  it('keeps a sequence split across chunks whole', () => {
    const s = new AnsiStripper();
    const parts = ['ab\x1b', '[3', '8;5;1', '2mcd\x1b]', '0;ti', 'tle\x07ef'];
    expect(parts.map((p) => s.push(p)).join('')).toBe('abcdef');
  });

  it('turns a cursor move to another row into a line break (positioned drawing)', () => {
    expect(stripAnsi('\x1b[1;1Htop\x1b[2;5Hsecond\x1b[3dthird\x1b[Kx')).toBe('top\nsecond\nthirdx');
    const s = new AnsiStripper();
    expect(s.push('a\n')).toBe('a\n');
    expect(s.push('\x1b[5;1Hb')).toBe('b'); // already at a line start: no empty line
    expect(stripAnsi('\x1b[2J\x1b[Hhello')).toBe('hello');
  });

  it('turns \\r\\n into \\n and drops other controls', () => {
    expect(stripAnsi('a\r\nb\rc\x08d\x07e\tf\n')).toBe('a\nbcde\tf\n');
  });
});

describe('classify and preview', () => {
  it('finds errors and warnings line by line', () => {
    expect(lineSeverity('Error: ENOENT: no such file or directory')).toBe('error');
    expect(lineSeverity('npm WARN deprecated request@2.88.2')).toBe('warning');
    expect(lineSeverity('Traceback (most recent call last):')).toBe('error');
    expect(lineSeverity('FAILED tests/test_x.py::test_y')).toBe('error');
    expect(lineSeverity('Tests: 0 failed, 12 passed')).toBe('info');
    expect(lineSeverity('compiled with 0 errors and 0 warnings')).toBe('info');
    expect(lineSeverity('error-handling.ts updated')).toBe('info');
    expect(lineSeverity('all good')).toBe('info');
    const c = classify('ok\nwarning: x\nfatal: y\n');
    expect(c.severity).toBe('error');
    expect(c.flagged).toEqual([
      { severity: 'warning', line: 'warning: x' },
      { severity: 'error', line: 'fatal: y' },
    ]);
  });

  it('preview: last 3 non-empty lines, at most 200 chars', () => {
    expect(preview('1\n2\n\n3\n4\n\n')).toBe('2\n3\n4');
    expect(preview('x'.repeat(500))).toHaveLength(200);
    expect(preview('')).toBe('');
  });
});

describe('OutputCoalescer', () => {
  const loc = { session: 's', session_id: '$0', window: 0, window_id: '@0', window_name: 'w', pane: 0, pane_id: '%0' };

  it('merges chunks within the window into one event', async () => {
    const out: RawEvent[] = [];
    const c = new OutputCoalescer(
      () => loc,
      (e) => out.push(...e),
      { windowMs: 5, maxContent: 1024 },
    );
    c.push('%0', 'hello ', 6);
    c.push('%0', '\x1b[1mworld\x1b[0m\n', 14);
    expect(out).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(out).toEqual([
      { type: 'pane.output', ...loc, data: { content: 'hello world\n', preview: 'hello world', severity: 'info', bytes: 20 } },
    ]);
    c.close();
  });

  it('never emits more than maxContent per event', () => {
    const out: RawEvent[] = [];
    const c = new OutputCoalescer(
      () => loc,
      (e) => out.push(...e),
      { windowMs: 1000, maxContent: 100 },
    );
    for (let i = 0; i < 25; i++) c.push('%0', 'x'.repeat(10), 10);
    c.flush();
    const sizes = out.map((e) => (e.type === 'pane.output' ? e.data.content.length : 0));
    expect(sizes).toEqual([100, 100, 50]);
    expect(out.reduce((n, e) => n + (e.type === 'pane.output' ? e.data.bytes : 0), 0)).toBe(250);
    c.close();
  });

  it('holds output of a pane not located yet until it is', () => {
    const out: RawEvent[] = [];
    let known = false;
    const c = new OutputCoalescer(
      () => (known ? loc : null),
      (e) => out.push(...e),
      { windowMs: 1000, maxContent: 100 },
    );
    c.push('%0', 'early', 5);
    c.flush();
    expect(out).toHaveLength(0);
    known = true;
    c.flush();
    expect(out).toHaveLength(1);
    c.close();
  });
});

describe('EventQueue', () => {
  it('drops the oldest pane.output past the bound, never other events', async () => {
    const q = new EventQueue(100);
    const output = (n: number): RawEvent => ({
      type: 'pane.output',
      pane_id: '%0',
      data: { content: 'x'.repeat(40), preview: String(n), severity: 'info', bytes: 40 },
    });
    q.push([{ type: 'system.source', data: { state: 'connected', message: '' } }]);
    for (let i = 0; i < 5; i++) q.push([output(i)]);
    q.end();
    const got: RawEvent[] = [];
    for await (const b of q.drain()) got.push(...b);
    expect(got[0]!.type).toBe('system.source');
    const kept = got.filter((e) => e.type === 'pane.output').map((e) => (e.type === 'pane.output' ? e.data.preview : ''));
    expect(kept).toEqual(['4']);
    expect(q.dropped).toBe(4);
  });
});

describe('tmux quoting', () => {
  it('passes plain words through and quotes the rest for one line', () => {
    expect(quoteArg('%3')).toBe('%3');
    expect(quoteArg('-l')).toBe('"-l"');
    expect(quoteArg('a "b" $HOME\\\n\t\x01')).toBe('"a \\"b\\" \\$HOME\\\\\\n\\t\\001"');
    expect(commandLine(['send-keys', '-t', '%1', 'hi there'])).toBe('send-keys "-t" %1 "hi there"');
  });
});

describe('OutputCoalescer flagged lines', () => {
  it('sends at most 20 pane.error/pane.warning per pane per second', () => {
    const out: RawEvent[] = [];
    const loc = { session: 's', pane_id: '%0' };
    const c = new OutputCoalescer(
      () => loc,
      (e) => out.push(...e),
      { windowMs: 1000, maxContent: 100 },
    );
    for (let i = 0; i < 50; i++) c.push('%0', `error: number ${i}\n`, 17);
    c.flush();
    expect(out.filter((e) => e.type === 'pane.error')).toHaveLength(20);
    expect(out.filter((e) => e.type === 'pane.output').every((e) => e.type === 'pane.output' && e.data.severity === 'error')).toBe(true);
    c.close();
  });
});

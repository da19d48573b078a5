/**
 * Incremental parser for tmux control mode (`tmux -C`). Feed it stdout bytes as they
 * arrive, in chunks of any size; it returns the complete messages found so far.
 *
 * Why bytes, not text: `%output` carries pane bytes octal-escaped (`\ooo`), and a UTF-8
 * character may be split across two `%output` lines (or two reads). So lines are cut on
 * bytes, `%output` is unescaped to bytes, and only then decoded with one streaming
 * TextDecoder per pane.
 */
import type { ControlMessage, ControlNotification, ControlReply } from './messages.ts';

const NEWLINE = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const PERCENT = 0x25;

/** `%output ` and `%extended-output ` as bytes, to test a line prefix without decoding it. */
const OUTPUT_PREFIX = bytes('%output ');
const EXTENDED_PREFIX = bytes('%extended-output ');

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function startsWith(line: Uint8Array, prefix: Uint8Array): boolean {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix[i]) return false;
  return true;
}

/** Unescape tmux's `\ooo` octal escapes (tmux escapes bytes < 0x20 and `\` itself). */
export function unescapeOctal(src: Uint8Array, start = 0, end = src.length): Uint8Array {
  const out = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = src[i]!;
    if (b === BACKSLASH && i + 3 < end && isOctal(src[i + 1]) && isOctal(src[i + 2]) && isOctal(src[i + 3])) {
      out[n++] = ((src[i + 1]! - 48) << 6) | ((src[i + 2]! - 48) << 3) | (src[i + 3]! - 48);
      i += 3;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}

function isOctal(b: number | undefined): boolean {
  return b !== undefined && b >= 48 && b <= 55;
}

interface OpenBlock {
  time: number;
  number: number;
  flags: number;
  endGuard: string;
  errorGuard: string;
  lines: string[];
}

const BEGIN_RE = /^%begin (\d+) (\d+) (\d+)$/;
/** Notifications tmux 3.3a may write inside a reply block (between %begin and %end). */
const IN_BLOCK_RE = /^%(pause|continue) (%\d+)$/;

export class ControlParser {
  private carry: Uint8Array[] = [];
  private block: OpenBlock | null = null;
  private readonly decoders = new Map<string, TextDecoder>();
  private readonly lineDecoder = new TextDecoder();

  /** Parse one chunk of tmux's stdout. */
  push(chunk: Uint8Array): ControlMessage[] {
    const out: ControlMessage[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) break;
      let line: Uint8Array;
      if (this.carry.length > 0) {
        this.carry.push(chunk.subarray(start, nl));
        line = concat(this.carry);
        this.carry = [];
      } else {
        line = chunk.subarray(start, nl);
      }
      this.line(line, out);
      start = nl + 1;
    }
    if (start < chunk.length) this.carry.push(chunk.slice(start));
    return out;
  }

  /** Forget a pane's decoder state (call when the pane is gone). */
  forgetPane(paneId: string): void {
    this.decoders.delete(paneId);
  }

  private line(raw: Uint8Array, out: ControlMessage[]): void {
    // tmux ends lines with \n; be lenient about \r\n.
    const line = raw.length > 0 && raw[raw.length - 1] === CR ? raw.subarray(0, raw.length - 1) : raw;
    if (this.block) {
      const text = this.lineDecoder.decode(line);
      const block = this.block;
      if (text === block.endGuard || text === block.errorGuard) {
        this.block = null;
        const reply: ControlReply = {
          type: 'reply',
          time: block.time,
          number: block.number,
          flags: block.flags,
          ok: text === block.endGuard,
          lines: block.lines,
        };
        out.push(reply);
        return;
      }
      const inBlock = IN_BLOCK_RE.exec(text);
      if (inBlock) {
        out.push({ type: inBlock[1] as 'pause' | 'continue', paneId: inBlock[2]! });
        return;
      }
      block.lines.push(text);
      return;
    }
    if (line.length === 0 || line[0] !== PERCENT) {
      // Outside a block tmux writes nothing but notifications; ignore stray lines.
      if (line.length > 0) out.push({ type: 'unknown', line: this.lineDecoder.decode(line) });
      return;
    }
    if (startsWith(line, OUTPUT_PREFIX)) {
      this.output(line, OUTPUT_PREFIX.length, false, out);
      return;
    }
    if (startsWith(line, EXTENDED_PREFIX)) {
      this.output(line, EXTENDED_PREFIX.length, true, out);
      return;
    }
    const text = this.lineDecoder.decode(line);
    const begin = BEGIN_RE.exec(text);
    if (begin) {
      const [, time, number, flags] = begin;
      this.block = {
        time: Number(time),
        number: Number(number),
        flags: Number(flags),
        endGuard: `%end ${time} ${number} ${flags}`,
        errorGuard: `%error ${time} ${number} ${flags}`,
        lines: [],
      };
      return;
    }
    out.push(parseNotification(text));
  }

  /** `%output %N bytes` or `%extended-output %N age ... : bytes`. */
  private output(line: Uint8Array, from: number, extended: boolean, out: ControlMessage[]): void {
    let sp = line.indexOf(0x20, from);
    if (sp < 0) sp = line.length;
    const paneId = this.lineDecoder.decode(line.subarray(from, sp));
    let dataStart = Math.min(sp + 1, line.length);
    let age: number | undefined;
    if (extended) {
      // "%extended-output %N AGE [reserved ...] : DATA"
      const colon = indexOfSeq(line, [0x20, 0x3a, 0x20], sp);
      const header = this.lineDecoder.decode(line.subarray(dataStart, colon < 0 ? line.length : colon));
      age = Number(header.split(' ')[0]) || 0;
      dataStart = colon < 0 ? line.length : colon + 3;
    }
    const data = unescapeOctal(line, dataStart, line.length);
    let decoder = this.decoders.get(paneId);
    if (!decoder) {
      decoder = new TextDecoder('utf-8');
      this.decoders.set(paneId, decoder);
    }
    const text = decoder.decode(data, { stream: true });
    out.push(age === undefined ? { type: 'output', paneId, data, text } : { type: 'output', paneId, data, text, age });
  }
}

function indexOfSeq(haystack: Uint8Array, needle: number[], from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Split "a b rest of line" into n words and the rest (names may contain spaces). */
function words(s: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  for (let i = 0; i < n; i++) {
    const sp = rest.indexOf(' ');
    if (sp < 0) {
      out.push(rest);
      rest = '';
      break;
    }
    out.push(rest.slice(0, sp));
    rest = rest.slice(sp + 1);
  }
  out.push(rest);
  return out;
}

/** Parse one notification line (everything that starts with % outside a block). */
export function parseNotification(line: string): ControlNotification {
  const sp = line.indexOf(' ');
  const name = sp < 0 ? line.slice(1) : line.slice(1, sp);
  const rest = sp < 0 ? '' : line.slice(sp + 1);
  let unlinked = false;
  let base = name;
  if (name.startsWith('unlinked-')) {
    unlinked = true;
    base = name.slice('unlinked-'.length);
  }
  switch (base) {
    case 'window-add':
      return { type: 'window-add', windowId: rest, unlinked };
    case 'window-close':
      return { type: 'window-close', windowId: rest, unlinked };
    case 'window-renamed': {
      const [windowId = '', newName = ''] = words(rest, 1);
      return { type: 'window-renamed', windowId, name: newName, unlinked };
    }
  }
  switch (name) {
    case 'session-changed':
    case 'session-renamed': {
      const [sessionId = '', newName = ''] = words(rest, 1);
      return { type: name, sessionId, name: newName };
    }
    case 'sessions-changed':
      return { type: 'sessions-changed' };
    case 'session-window-changed': {
      const [sessionId = '', windowId = ''] = words(rest, 1);
      return { type: 'session-window-changed', sessionId, windowId };
    }
    case 'window-pane-changed': {
      const [windowId = '', paneId = ''] = words(rest, 1);
      return { type: 'window-pane-changed', windowId, paneId };
    }
    case 'layout-change': {
      const [windowId = '', layout = '', visibleLayout = '', flags = ''] = words(rest, 3);
      return { type: 'layout-change', windowId, layout, visibleLayout, flags };
    }
    case 'pane-mode-changed':
      return { type: 'pane-mode-changed', paneId: rest };
    case 'pause':
    case 'continue':
      return { type: name, paneId: rest };
    case 'subscription-changed': {
      // "%subscription-changed NAME $S @W IDX %P ... : VALUE"
      const colon = rest.indexOf(' : ');
      const head = colon < 0 ? rest : rest.slice(0, colon);
      const value = colon < 0 ? '' : rest.slice(colon + 3);
      const [subName = '', sessionId = '', windowId = '', windowIndex = '', paneId = ''] = head.split(' ');
      return { type: 'subscription-changed', name: subName, sessionId, windowId, windowIndex, paneId, value };
    }
    case 'client-detached':
      return { type: 'client-detached', client: rest };
    case 'client-session-changed': {
      const [client = '', sessionId = '', newName = ''] = words(rest, 2);
      return { type: 'client-session-changed', client, sessionId, name: newName };
    }
    case 'exit':
      return { type: 'exit', reason: rest };
    case 'message':
      return { type: 'message', text: rest };
    case 'config-error':
      return { type: 'config-error', text: rest };
    default:
      return { type: 'unknown', line };
  }
}

/**
 * Turns a pane's stream of output chunks into few `pane.output` events. It throttles
 * rather than delays: output after a quiet spell goes out at the end of the current turn
 * of the event loop (everything read from tmux in that turn together), and while output
 * keeps coming it goes out at most once per `windowMs`. An event never carries more than
 * `maxContent` characters (a flood becomes a steady series of bounded events, never one
 * huge one). One timer serves all panes.
 */
import type { RawEvent } from '../../protocol/events.ts';
import { AnsiStripper } from './ansi.ts';
import { LineClassifier, preview } from './classify.ts';

export interface CoalescerOptions {
  windowMs: number;
  maxContent: number;
}

export const DEFAULT_COALESCER_OPTIONS: CoalescerOptions = { windowMs: 4, maxContent: 16 * 1024 };

/** At most this many pane.error/pane.warning events per pane per second (a log of errors is not an alarm per line). */
const FLAGGED_PER_SECOND = 20;

interface PaneBuffer {
  stripper: AnsiStripper;
  lines: LineClassifier;
  /** Start of the current one-second window, and flagged lines sent in it. */
  flaggedSince: number;
  flaggedCount: number;
  parts: string[];
  length: number;
  bytes: number;
}

export class OutputCoalescer {
  private readonly panes = new Map<string, PaneBuffer>();
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private microtask = false;
  private lastFlush = 0;

  constructor(
    /** Location fields for a pane, or null to drop its output (pane unknown). */
    private readonly locate: (paneId: string) => Omit<RawEvent, 'type' | 'data'> | null,
    private readonly emit: (events: RawEvent[]) => void,
    private readonly options: CoalescerOptions = DEFAULT_COALESCER_OPTIONS,
  ) {}

  push(paneId: string, text: string, byteCount: number): void {
    let b = this.panes.get(paneId);
    if (!b) {
      b = { stripper: new AnsiStripper(), lines: new LineClassifier(), flaggedSince: 0, flaggedCount: 0, parts: [], length: 0, bytes: 0 };
      this.panes.set(paneId, b);
    }
    const clean = b.stripper.push(text);
    b.bytes += byteCount;
    if (clean.length > 0) {
      b.parts.push(clean);
      b.length += clean.length;
    }
    this.dirty.add(paneId);
    if (b.length >= this.options.maxContent) {
      // Full: send what is there now rather than grow past the bound.
      const events: RawEvent[] = [];
      this.flushPane(paneId, b, events, true);
      if (events.length > 0) this.emit(events);
    }
    if (this.timer === null && !this.microtask && this.dirty.size > 0) {
      const wait = this.lastFlush + this.options.windowMs - Date.now();
      if (wait <= 0) {
        // Quiet before: send once this read from tmux has been parsed.
        this.microtask = true;
        queueMicrotask(() => {
          if (!this.microtask) return;
          this.microtask = false;
          this.flush();
        });
      } else {
        this.timer = setTimeout(() => this.flush(), wait);
      }
    }
  }

  /** Send everything buffered now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.microtask = false;
    this.lastFlush = Date.now();
    const events: RawEvent[] = [];
    for (const id of [...this.dirty]) {
      const b = this.panes.get(id);
      if (b) this.flushPane(id, b, events, false);
      if (!b || b.length === 0) this.dirty.delete(id);
    }
    if (events.length > 0) this.emit(events);
  }

  removePane(paneId: string): void {
    this.panes.delete(paneId);
    this.dirty.delete(paneId);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.microtask = false;
    this.panes.clear();
    this.dirty.clear();
  }

  /**
   * Emit a pane's buffered output. With `onlyFull`, emit only whole `maxContent` pieces and
   * keep the rest. A pane not located yet (its output came before the refresh that lists
   * it) keeps its buffer, up to one piece, until `flush` is called again.
   */
  private flushPane(paneId: string, b: PaneBuffer, events: RawEvent[], onlyFull: boolean): void {
    if (b.length === 0) {
      b.bytes = 0; // only control sequences (cursor moves, colours): nothing to show
      return;
    }
    const location = this.locate(paneId);
    const max = this.options.maxContent;
    if (!location) {
      if (b.length >= max) {
        b.parts = [];
        b.length = 0;
        b.bytes = 0;
      }
      return;
    }
    let text = b.parts.length === 1 ? b.parts[0]! : b.parts.join('');
    let bytes = b.bytes;
    b.parts = [];
    b.length = 0;
    b.bytes = 0;
    while (text.length > 0) {
      if (onlyFull && text.length < max) {
        b.parts.push(text);
        b.length = text.length;
        b.bytes = bytes;
        return;
      }
      let cut = Math.min(text.length, max);
      // Never split a surrogate pair.
      const code = text.charCodeAt(cut - 1);
      if (cut < text.length && code >= 0xd800 && code <= 0xdbff) cut--;
      const content = text.slice(0, cut);
      text = text.slice(cut);
      // Attribute raw bytes in proportion to the text taken.
      const share = text.length === 0 ? bytes : Math.round((bytes * content.length) / (content.length + text.length));
      bytes -= share;
      events.push(...this.toEvents(b, location, content, share));
    }
  }

  /** Panes with output waiting for a location. */
  hasPending(): boolean {
    return this.dirty.size > 0 || [...this.panes.values()].some((b) => b.length > 0);
  }

  private toEvents(b: PaneBuffer, location: Omit<RawEvent, 'type' | 'data'>, content: string, bytes: number): RawEvent[] {
    const { severity, flagged } = b.lines.take(content);
    const pv = preview(content);
    const out: RawEvent[] = [{ type: 'pane.output', ...location, data: { content, preview: pv, severity, bytes } }];
    const now = Date.now();
    if (now - b.flaggedSince >= 1000) {
      b.flaggedSince = now;
      b.flaggedCount = 0;
    }
    for (const f of flagged) {
      if (b.flaggedCount >= FLAGGED_PER_SECOND) break;
      b.flaggedCount++;
      out.push({
        type: f.severity === 'error' ? 'pane.error' : 'pane.warning',
        ...location,
        data: { preview: pv, line: f.line },
      });
    }
    return out;
  }
}

/**
 * An xterm.js view that mirrors a pane's text. What to show comes from the server as the
 * pane's last N lines (snapshot `content`); this decides how to put it on screen:
 * - text that only grew (a shell printing) is appended, so nothing flickers and a
 *   selection or scroll position survives;
 * - anything else (a full-screen agent UI redrawing itself) replaces the view in one
 *   synchronized update;
 * - while the reader has scrolled up, replacing waits until they scroll back down.
 * Lines the server reported as errors or warnings are tinted red or yellow.
 *
 * The text comes with the program's own colours (snapshot `escapes`), and the view is as
 * wide as the pane itself (`setColumns`): a 160-column agent screen is drawn at 160
 * columns and scrolls sideways in a narrower window, rather than being re-wrapped.
 */
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';

/** Lines of scrollback kept (and asked of the server). */
export const SCROLLBACK_LINES = 1000;

const DARK: ITheme = {
  background: '#0d1117',
  foreground: '#d1d7e0',
  cursor: '#0d1117',
  selectionBackground: '#264f78',
  red: '#ff7b72',
  brightRed: '#ffa198',
  yellow: '#e3b341',
  brightYellow: '#f2cc60',
};
const LIGHT: ITheme = {
  background: '#ffffff',
  foreground: '#1f2328',
  cursor: '#ffffff',
  selectionBackground: '#b6d6fd',
  red: '#cf222e',
  brightRed: '#a40e26',
  yellow: '#9a6700',
  brightYellow: '#7d4e00',
  black: '#24292f',
  white: '#6e7781',
  brightWhite: '#8c959f',
};

const SYNC_START = '\x1b[?2026h';
const SYNC_END = '\x1b[?2026l';
const CLEAR_ALL = '\x1b[H\x1b[2J\x1b[3J';
const HIDE_CURSOR = '\x1b[?25l';

export class TerminalMirror {
  readonly #term: Terminal;
  readonly #fit = new FitAddon();
  /** The raw text on screen now (null: nothing yet). */
  #shown: string | null = null;
  /** Text that arrived while the reader was scrolled up. */
  #pending: string | null = null;
  readonly #marked = { error: new Set<string>(), warning: new Set<string>() };
  readonly #resize: ResizeObserver;
  readonly #scheme = matchMedia('(prefers-color-scheme: dark)');
  /** The pane's own width, or 0: fit the container. */
  #columns = 0;
  readonly #onScheme = (): void => {
    this.#term.options.theme = this.#scheme.matches ? DARK : LIGHT;
  };

  constructor(
    readonly container: HTMLElement,
    private readonly onBehind: (behind: boolean) => void,
  ) {
    this.#term = new Terminal({
      convertEol: true,
      disableStdin: true,
      cursorBlink: false,
      scrollback: SCROLLBACK_LINES,
      fontFamily: 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      lineHeight: 1.15,
      theme: this.#scheme.matches ? DARK : LIGHT,
      allowProposedApi: false,
    });
    this.#term.loadAddon(this.#fit);
    this.#term.open(container);
    this.#term.write(HIDE_CURSOR);
    this.#term.onScroll(() => this.#scrolled());
    this.#term.element?.addEventListener('wheel', () => queueMicrotask(() => this.#scrolled()), { passive: true });
    this.#scheme.addEventListener('change', this.#onScheme);
    this.#resize = new ResizeObserver(() => this.fit());
    this.#resize.observe(container);
    this.fit();
  }

  fit(): void {
    if (this.container.clientWidth > 0 && this.container.clientHeight > 0) {
      try {
        if (this.#columns === 0) {
          this.#fit.fit();
          return;
        }
        const rows = this.#fit.proposeDimensions()?.rows;
        if (rows && (rows !== this.#term.rows || this.#columns !== this.#term.cols)) this.#term.resize(this.#columns, rows);
      } catch {
        // not laid out yet
      }
    }
  }

  /** Draw at the pane's own width (0: as wide as the container). */
  setColumns(columns: number): void {
    if (columns === this.#columns) return;
    this.#columns = columns;
    this.container.classList.toggle('fixed-width', columns > 0);
    this.fit();
  }

  get columns(): number {
    return this.#term.cols;
  }

  /** Start over for another pane. */
  reset(): void {
    this.#shown = null;
    this.#pending = null;
    this.#marked.error.clear();
    this.#marked.warning.clear();
    this.#term.write(SYNC_START + CLEAR_ALL + SYNC_END);
    this.onBehind(false);
  }

  /** Remember a line the server flagged, to tint it wherever it shows. */
  mark(severity: 'error' | 'warning', line: string): void {
    const set = this.#marked[severity];
    const key = line.trimEnd();
    if (!key) return;
    set.add(key);
    if (set.size > 200) set.delete(set.values().next().value!);
  }

  /** Show `content` (the pane's last lines). */
  show(content: string): void {
    if (content === this.#shown) {
      this.#pending = null;
      return;
    }
    const shown = this.#shown;
    if (shown !== null && content.startsWith(shown)) {
      this.#term.write(this.#tint(content.slice(shown.length)));
      this.#shown = content;
      return;
    }
    if (shown !== null && this.#isBehind()) {
      this.#pending = content; // don't yank the view from under the reader
      this.onBehind(true);
      return;
    }
    this.#replace(content);
  }

  /** Text on screen, for tests and copy: the visible rows and scrollback. */
  text(): string {
    const buffer = this.#term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n').trimEnd();
  }

  scrollToBottom(): void {
    this.#term.scrollToBottom();
    this.#scrolled();
  }

  dispose(): void {
    this.#resize.disconnect();
    this.#scheme.removeEventListener('change', this.#onScheme);
    this.#term.dispose();
  }

  #replace(content: string): void {
    this.#pending = null;
    this.#shown = content;
    this.#term.write(SYNC_START + CLEAR_ALL + HIDE_CURSOR + this.#tint(content) + SYNC_END, () => this.#term.scrollToBottom());
    this.onBehind(false);
  }

  #isBehind(): boolean {
    const buffer = this.#term.buffer.active;
    return buffer.viewportY < buffer.baseY;
  }

  #scrolled(): void {
    if (this.#isBehind()) return;
    if (this.#pending !== null) this.#replace(this.#pending);
    else this.onBehind(false);
  }

  /** Tints flagged lines; text itself is passed through (it may carry colours one day). */
  #tint(text: string): string {
    if (this.#marked.error.size === 0 && this.#marked.warning.size === 0) return text;
    return text
      .split('\n')
      .map((line) => {
        const key = line.trimEnd();
        if (this.#marked.error.has(key)) return `\x1b[31m${line}\x1b[39m`;
        if (this.#marked.warning.has(key)) return `\x1b[33m${line}\x1b[39m`;
        return line;
      })
      .join('\n');
  }
}

/**
 * The event log: newest first, filtered by kind and session, with pause/resume (while
 * paused, events are kept and counted, and appear on resume). Keeps the last MAX_KEPT.
 */
import type { MonitorEvent } from '../../client/index.ts';
import { h, replaceChildren } from './dom.ts';
import { clockTime, formatTarget, summarize } from './format.ts';

const MAX_KEPT = 1000;
const MAX_SHOWN = 300;

/** Filter groups: a family of types, with `pane.output` (noisy) apart and off by default. */
const KINDS = [
  { id: 'agent', label: 'agent', test: (t: string) => t.startsWith('agent.') },
  { id: 'session', label: 'session', test: (t: string) => t.startsWith('session.') },
  { id: 'window', label: 'window', test: (t: string) => t.startsWith('window.') },
  { id: 'pane', label: 'pane', test: (t: string) => t.startsWith('pane.') && t !== 'pane.output' },
  { id: 'output', label: 'output', test: (t: string) => t === 'pane.output' },
  { id: 'system', label: 'system', test: (t: string) => t.startsWith('system.') || t === 'connection' },
] as const;
type Kind = (typeof KINDS)[number]['id'];

/** An event, or a note about the connection (reconnects, gaps) shown in line with them. */
export type LogEntry = MonitorEvent | { type: 'connection'; timestamp: string; text: string; seq?: undefined };

export class EventLog {
  readonly element = h('section', { class: 'log', 'aria-label': 'Event log' });
  readonly #list = h('ol', { class: 'log-list' });
  readonly #pauseButton = h('button', { class: 'ghost pause', 'aria-pressed': 'false', onclick: () => this.#togglePause() }, 'Pause');
  readonly #sessionSelect = h('select', { 'aria-label': 'Session', class: 'session-filter' });
  readonly #entries: LogEntry[] = [];
  readonly #kinds = new Set<Kind>(['agent', 'session', 'window', 'pane', 'system']);
  #session = '';
  #paused = false;
  #unseen = 0;

  constructor() {
    const chips = KINDS.map((k) =>
      h(
        'button',
        {
          class: 'chip',
          'data-kind': k.id,
          'aria-pressed': String(this.#kinds.has(k.id)),
          onclick: (e: Event) => {
            if (this.#kinds.has(k.id)) this.#kinds.delete(k.id);
            else this.#kinds.add(k.id);
            (e.currentTarget as HTMLElement).setAttribute('aria-pressed', String(this.#kinds.has(k.id)));
            this.#renderAll();
          },
        },
        k.label,
      ),
    );
    this.#sessionSelect.addEventListener('change', () => {
      this.#session = this.#sessionSelect.value;
      this.#renderAll();
    });
    this.sessions([]);
    this.element.append(
      h(
        'div',
        { class: 'log-bar' },
        h('h2', {}, 'Events'),
        h('div', { class: 'chips', role: 'group', 'aria-label': 'Event types' }, ...chips),
        this.#sessionSelect,
        h('span', { class: 'spacer' }),
        this.#pauseButton,
        h('button', { class: 'ghost', onclick: () => this.#clear() }, 'Clear'),
      ),
      this.#list,
    );
    this.#renderAll();
  }

  /** Names for the session filter (the current choice stays, even if the session is gone). */
  sessions(names: string[]): void {
    const all = [...new Set([...names, ...(this.#session ? [this.#session] : [])])].sort();
    const current = [...this.#sessionSelect.options].map((o) => o.value).join('\n');
    if (current === ['', ...all].join('\n')) return;
    replaceChildren(this.#sessionSelect, h('option', { value: '' }, 'All sessions'), ...all.map((n) => h('option', { value: n }, n)));
    this.#sessionSelect.value = this.#session;
  }

  add(entry: LogEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > MAX_KEPT) this.#entries.shift();
    if (!this.#matches(entry)) return;
    if (this.#paused) {
      this.#unseen++;
      this.#pauseButton.textContent = `Resume (${this.#unseen} new)`;
      return;
    }
    this.#list.querySelector('.log-empty')?.remove();
    this.#list.prepend(this.#row(entry));
    while (this.#list.childElementCount > MAX_SHOWN) this.#list.lastElementChild?.remove();
  }

  note(text: string): void {
    this.add({ type: 'connection', timestamp: new Date().toISOString(), text });
  }

  #matches(entry: LogEntry): boolean {
    const kind = KINDS.find((k) => k.test(entry.type));
    if (!kind || !this.#kinds.has(kind.id)) return false;
    if (!this.#session || entry.type === 'connection') return true;
    return entry.session === undefined || entry.session === this.#session;
  }

  #row(entry: LogEntry): HTMLElement {
    const family = entry.type === 'connection' ? 'connection' : entry.type.split('.')[0];
    const severity =
      entry.type === 'pane.error' || (entry.type === 'agent.status' && entry.data.status === 'error')
        ? 'error'
        : entry.type === 'pane.warning' || (entry.type === 'agent.status' && entry.data.status === 'waiting')
          ? 'warning'
          : entry.type === 'pane.output'
            ? entry.data.severity
            : 'info';
    return h(
      'li',
      {
        class: `log-row family-${family} severity-${severity}`,
        'data-type': entry.type,
        'data-session': entry.type === 'connection' ? '' : (entry.session ?? ''),
      },
      h('time', { datetime: entry.timestamp }, clockTime(entry.timestamp)),
      h('span', { class: 'log-type' }, entry.type),
      h('span', { class: 'log-target' }, entry.type === 'connection' ? '' : formatTarget(entry)),
      h('span', { class: 'log-text' }, entry.type === 'connection' ? entry.text : summarize(entry)),
    );
  }

  #renderAll(): void {
    const shown = this.#entries
      .filter((e) => this.#matches(e))
      .slice(-MAX_SHOWN)
      .reverse();
    replaceChildren(this.#list, ...shown.map((e) => this.#row(e)));
    if (shown.length === 0) this.#list.append(h('li', { class: 'log-empty' }, 'No events yet.'));
  }

  #togglePause(): void {
    this.#paused = !this.#paused;
    this.#pauseButton.setAttribute('aria-pressed', String(this.#paused));
    this.#pauseButton.textContent = this.#paused ? 'Resume' : 'Pause';
    if (!this.#paused) {
      this.#unseen = 0;
      this.#renderAll();
    }
  }

  #clear(): void {
    this.#entries.length = 0;
    this.#unseen = 0;
    if (this.#paused) this.#pauseButton.textContent = 'Resume';
    this.#renderAll();
  }
}

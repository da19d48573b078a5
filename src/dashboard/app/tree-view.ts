/**
 * The sidebar: sessions → windows → panes. Each pane is one button with its status badge,
 * agent type, command and time in that status; panes waiting for input or in error stand
 * out. With more than one host (a NATS bus), sessions are grouped under their host and
 * a host filter is offered. Re-rendered whole on change (a tmux server has dozens of panes, not thousands);
 * the durations tick in place.
 */
import { h, replaceChildren } from './dom.ts';
import { formatDuration } from './format.ts';
import { isAgent, needsAttention, type PaneItem, type SessionItem } from './store.ts';

export class TreeView {
  readonly element = h('nav', { class: 'tree', 'aria-label': 'Sessions, windows and panes' });
  readonly #collapsed = new Set<string>();
  #sessions: SessionItem[] = [];
  #selected: string | null = null;
  /** The host shown alone, or '' for all. */
  #hostFilter = '';

  /** `onSelect` gets the pane's key (see paneKey): pane ids repeat across hosts. */
  constructor(private readonly onSelect: (key: string) => void) {
    this.element.addEventListener('keydown', (e) => this.#arrowKeys(e));
  }

  render(sessions: SessionItem[], selected: string | null, loaded: boolean): void {
    this.#sessions = sessions;
    this.#selected = selected;
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.paneKey;
    if (!loaded) {
      replaceChildren(this.element, h('p', { class: 'empty' }, 'Loading…'));
      return;
    }
    if (sessions.length === 0) {
      replaceChildren(
        this.element,
        h('p', { class: 'empty' }, 'No tmux sessions. Start one with ', h('code', {}, 'tmux new -s work'), '.'),
      );
      return;
    }
    // Keep the old elements when nothing visible changed: a click that lands during a
    // re-render (statuses change all the time) is not lost, and hover states stay put.
    const next = h('div', {}, ...this.#grouped(sessions));
    if (next.innerHTML === this.element.innerHTML) return;
    replaceChildren(this.element, ...next.childNodes);
    if (focused) this.element.querySelector<HTMLElement>(`[data-pane-key="${CSS.escape(focused)}"]`)?.focus();
  }

  /** One host: the sessions as they are. Several: a filter, then each host's sessions under its name. */
  #grouped(sessions: SessionItem[]): HTMLElement[] {
    const hosts = [...new Set(sessions.map((s) => s.host))];
    if (hosts.length < 2) return sessions.map((s) => this.#session(s));
    if (this.#hostFilter !== '' && !hosts.includes(this.#hostFilter)) this.#hostFilter = '';
    const filter = h(
      'label',
      { class: 'host-filter' },
      'Host ',
      h(
        'select',
        {
          'aria-label': 'Show one host',
          onchange: (e: Event) => {
            this.#hostFilter = (e.target as HTMLSelectElement).value;
            this.render(this.#sessions, this.#selected, true);
          },
        },
        h('option', { value: '', selected: this.#hostFilter === '' ? '' : null }, `all ${hosts.length}`),
        ...hosts.map((host) => h('option', { value: host, selected: this.#hostFilter === host ? '' : null }, host)),
      ),
    );
    const shown = this.#hostFilter === '' ? hosts : [this.#hostFilter];
    return [
      filter,
      ...shown.map((host) =>
        h(
          'section',
          { class: 'host', 'data-host': host },
          h('h2', { class: 'host-head' }, host),
          ...sessions.filter((s) => s.host === host).map((s) => this.#session(s)),
        ),
      ),
    ];
  }

  /** Updates the "for 3m" texts without re-rendering. */
  tick(now = Date.now()): void {
    for (const el of this.element.querySelectorAll<HTMLElement>('[data-since]')) {
      el.textContent = durationText(Number(el.dataset.since), el.dataset.exact === '1', now);
    }
  }

  #session(s: SessionItem): HTMLElement {
    const collapsed = this.#collapsed.has(s.id);
    const panes = s.windows.flatMap((w) => w.panes);
    const attention = panes.filter(needsAttention).length;
    const toggle = (): void => {
      if (collapsed) this.#collapsed.delete(s.id);
      else this.#collapsed.add(s.id);
      this.render(this.#sessions, this.#selected, true);
    };
    return h(
      'section',
      { class: 'session', 'data-session': s.name },
      h(
        'button',
        { class: 'session-head', 'aria-expanded': String(!collapsed), onclick: toggle },
        h('span', { class: 'chevron', 'aria-hidden': 'true' }, collapsed ? '▸' : '▾'),
        h('span', { class: 'session-name' }, s.name),
        s.attached > 0 && h('span', { class: 'tag', title: `${s.attached} client(s) attached` }, 'attached'),
        h('span', { class: 'spacer' }),
        collapsed && attention > 0 && h('span', { class: 'tag tag-attention' }, `${attention} need you`),
        h('span', { class: 'muted' }, `${s.windows.length} win`),
      ),
      !collapsed &&
        h(
          'ul',
          { class: 'windows' },
          ...s.windows.map((w) =>
            h(
              'li',
              { class: 'window', 'data-window': w.index },
              h(
                'div',
                { class: 'window-head' },
                h('span', { class: 'window-index' }, w.index),
                h('span', { class: 'window-name' }, w.name),
                w.active && h('span', { class: 'active-mark', title: 'active window' }, '•'),
              ),
              h('ul', { class: 'panes' }, ...w.panes.map((p) => h('li', {}, this.#pane(p)))),
            ),
          ),
        ),
    );
  }

  #pane(p: PaneItem): HTMLElement {
    const agent = isAgent(p);
    const classes = ['pane', `status-${p.status}`, agent ? 'is-agent' : 'is-shell'];
    if (p.key === this.#selected) classes.push('selected');
    if (needsAttention(p)) classes.push('attention');
    return h(
      'button',
      {
        class: classes.join(' '),
        'data-pane-id': p.id,
        'data-pane-key': p.key,
        'data-host': p.host || null,
        'data-status': p.status,
        'aria-current': p.key === this.#selected ? 'true' : null,
        title: `${p.host ? `${p.host}/` : ''}${p.session}:${p.windowIndex}.${p.index} (${p.id}) — ${p.path}`,
        onclick: () => this.onSelect(p.key),
      },
      h('span', { class: 'pane-index' }, `.${p.index}`),
      badge(p.status, !agent),
      h('span', { class: 'agent-type' }, agent ? p.agentType : ''),
      h('span', { class: 'command' }, p.dead ? `${p.command} (dead)` : p.command),
      h(
        'span',
        { class: 'since', 'data-since': p.since, 'data-exact': p.sinceExact ? '1' : '0', title: sinceTitle(p) },
        durationText(p.since, p.sinceExact),
      ),
    );
  }

  /** Up/down arrows move between panes. */
  #arrowKeys(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const panes = [...this.element.querySelectorAll<HTMLElement>('button.pane')];
    const at = panes.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    e.preventDefault();
    panes[Math.min(panes.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)))]?.focus();
  }
}

/** The status badge; for a plain shell that is merely ready, a quiet one. */
export function badge(status: string, quiet = false): HTMLElement {
  return h(
    'span',
    { class: `badge badge-${status}${quiet && status === 'ready' ? ' quiet' : ''}`, 'data-badge': status },
    h('i', { 'aria-hidden': 'true' }),
    status,
  );
}

export function durationText(since: number, exact: boolean, now = Date.now()): string {
  return (exact ? '' : '≥') + formatDuration(now - since);
}

function sinceTitle(p: PaneItem): string {
  const when = new Date(p.since).toLocaleTimeString();
  return p.sinceExact ? `${p.status} since ${when}` : `${p.status} since at least ${when} (when this page first saw it)`;
}

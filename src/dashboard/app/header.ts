/**
 * The top bar: status counts (what needs a person first), the connection indicator and
 * who is signed in. Also keeps the page title: "(2) tmux-monitor" when two agents wait.
 */
import type { AgentStatus } from '../../client/index.ts';
import { h, replaceChildren } from './dom.ts';
import type { StatusCounts } from './store.ts';

export type ConnectionNews =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; attempt: number; delayMs: number; reason: string }
  | { kind: 'resumed'; replayed: number }
  | { kind: 'gap'; reason: 'epoch-changed' | 'history-lost' }
  | { kind: 'closed'; message: string };

/** Order of the counts: what needs a person first. */
const COUNTED: readonly AgentStatus[] = ['waiting', 'error', 'busy', 'ready', 'exited'];

/** How long "resumed" and "gap" stay up before the indicator settles back to "Live". */
const NEWS_MS = { resumed: 8_000, gap: 20_000 };

export class Header {
  readonly element: HTMLElement;
  readonly #counts = h('div', { class: 'counts', 'aria-label': 'Agents by status' });
  readonly #pill = h('div', { class: 'conn', role: 'status', 'aria-live': 'polite', 'data-state': 'connecting' });
  readonly #who = h('div', { class: 'who' });
  #settle: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onSignOut: () => void) {
    this.element = h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '❯_'), 'tmux-monitor'),
      this.#counts,
      h('div', { class: 'spacer' }),
      this.#pill,
      this.#who,
    );
    this.connection({ kind: 'connecting' });
  }

  counts(counts: StatusCounts, filter: (status: AgentStatus) => void): void {
    const chips = COUNTED.filter((s) => counts[s] > 0 || s === 'waiting').map((status) =>
      h(
        'button',
        {
          class: `count count-${status}${counts[status] === 0 ? ' zero' : ''}`,
          'data-status': status,
          'data-count': counts[status],
          title: `Show the first ${status} pane`,
          onclick: () => filter(status),
        },
        h('b', {}, counts[status]),
        ` ${status}`,
      ),
    );
    replaceChildren(this.#counts, ...chips);
    document.title = counts.waiting > 0 ? `(${counts.waiting}) tmux-monitor` : 'tmux-monitor';
  }

  connection(news: ConnectionNews): void {
    clearTimeout(this.#settle);
    const [text, detail] = describe(news);
    this.#pill.dataset.state = news.kind;
    this.#pill.title = detail;
    replaceChildren(this.#pill, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'conn-text' }, text));
    if (news.kind === 'resumed' || news.kind === 'gap') {
      this.#settle = setTimeout(() => this.connection({ kind: 'live' }), NEWS_MS[news.kind]);
    }
  }

  /** Who is signed in (null: auth is off on the server). */
  identity(who: { subject: string; role: string } | null, signedIn: boolean): void {
    replaceChildren(
      this.#who,
      who
        ? h('span', { class: 'role', title: `signed in as ${who.subject}` }, who.subject, h('small', {}, who.role))
        : h('span', { class: 'role' }, 'auth off'),
      signedIn && h('button', { class: 'ghost', id: 'sign-out', onclick: () => this.onSignOut() }, 'Sign out'),
    );
  }
}

function describe(news: ConnectionNews): [string, string] {
  switch (news.kind) {
    case 'connecting':
      return ['Connecting…', 'Opening the WebSocket'];
    case 'live':
      return ['Live', 'Connected: events arrive as they happen'];
    case 'reconnecting':
      return [
        `Reconnecting… (attempt ${news.attempt})`,
        `Connection lost${news.reason ? ` (${news.reason})` : ''}; retrying in ${(news.delayMs / 1000).toFixed(1)} s`,
      ];
    case 'resumed':
      return [
        news.replayed > 0 ? `Resumed · ${news.replayed} missed` : 'Resumed',
        `Reconnected; ${news.replayed} missed event(s) replayed, nothing lost`,
      ];
    case 'gap':
      return [
        news.reason === 'epoch-changed' ? 'Gap · server restarted' : 'Gap · events missed',
        'Some events could not be replayed; the tree was re-read from the server',
      ];
    case 'closed':
      return ['Disconnected', news.message];
  }
}

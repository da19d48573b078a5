/**
 * The dashboard: wires the JS client (src/client/) to the views.
 *
 * Connection: one TmuxMonitor for the page, to `monitor` next to the page, with the token
 * from the fragment, sessionStorage or the sign-in card (or none: a server with auth off
 * lets us straight in). The client reconnects and resumes by itself; this shows it.
 *
 * Data: one subscription for everything but output (statuses, structure, errors, system);
 * a second one for the selected pane's `pane.output`, moved when the selection moves.
 * The tree is re-read with a snapshot when its structure changes, statuses are applied
 * from events as they come.
 */
import {
  TmuxMonitor,
  type CloseEvent,
  type EventPattern,
  type MonitorEvent,
  type SnapshotData,
  type Subscription,
} from '../../client/index.ts';
import { forgetToken, monitorEndpoint, storeToken } from './auth.ts';
import { h } from './dom.ts';
import { EventLog } from './event-log.ts';
import { Header } from './header.ts';
import { LoginView } from './login-view.ts';
import { PaneView, type PanePermissions } from './pane-view.ts';
import { SCROLLBACK_LINES } from './terminal-mirror.ts';
import { DashboardStore, paneKey } from './store.ts';
import { TreeView } from './tree-view.ts';
import { DesktopAlerts } from './desktop-alerts.ts';
import { NeedsYouList } from './needs-you.ts';

/** Everything except `pane.output`, which is followed for the selected pane only. */
const LIVE_TYPES: EventPattern[] = [
  'session.*',
  'window.*',
  'pane.created',
  'pane.removed',
  'pane.error',
  'pane.warning',
  'agent.*',
  'system.*',
];
/** Wait this long after a structural event before re-reading the tree (they come in bursts). */
const TREE_SETTLE_MS = 100;
/** Re-read the tree this often anyway: a pane's command changes without an event. */
const TREE_REFRESH_MS = 15_000;
const SELECTED_KEY = 'tmux-monitor.selected';

export class DashboardApp {
  readonly #root: HTMLElement;
  readonly #store = new DashboardStore();
  readonly #header = new Header(() => this.signOut());
  readonly #tree = new TreeView((id) => this.select(id, true));
  readonly #pane: PaneView;
  readonly #log = new EventLog();
  readonly #login = new LoginView((token) => this.connect(token));
  readonly #banner = h('div', { class: 'banner', role: 'alert', hidden: true });
  readonly #alerts = new DesktopAlerts();
  readonly #needsYou: NeedsYouList;
  /** A pane named in the page's link (`#pane=%3`): opened once the tree has it. */
  #linked: string | null = null;
  #monitor: TmuxMonitor | null = null;
  #permissions: PanePermissions = { write: false, output: false };
  #selected: string | null = readSelected();
  #autoSelected = false;
  #outputSubscription: Subscription | null = null;
  #followGeneration = 0;
  #renderTimer: ReturnType<typeof setTimeout> | undefined;
  #treeTimer: ReturnType<typeof setTimeout> | undefined;
  #treeInFlight = false;
  #treeAgain = false;

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#pane = new PaneView({
      content: async (pane) => {
        const data = await this.#requireMonitor().snapshot(
          { host: pane.host || undefined, pane: pane.id },
          { lines: SCROLLBACK_LINES, escapes: true },
        );
        for (const s of data.sessions) for (const w of s.windows) for (const p of w.panes) if (p.id === pane.id) return p.content ?? '';
        return '';
      },
      send: async (pane, text, enter) => {
        await this.#requireMonitor().command(
          { host: pane.host || undefined, session: pane.session, window: pane.windowIndex, pane: pane.id },
          'send',
          text,
          enter === undefined ? {} : { enter },
        );
      },
      interrupt: async (pane) => {
        await this.#requireMonitor().command(
          { host: pane.host || undefined, session: pane.session, window: pane.windowIndex, pane: pane.id },
          'interrupt',
        );
      },
    });
    this.#needsYou = new NeedsYouList(
      {
        open: (key) => this.open(key),
        ack: async (pane) => {
          await this.#requireMonitor().ack({
            host: pane.host || undefined,
            session: pane.session,
            window: pane.windowIndex,
            pane: pane.id,
          });
        },
      },
      this.#alerts,
    );
    this.#header.element.append(this.#needsYou.settings);
    root.append(
      this.#header.element,
      this.#banner,
      h(
        'main',
        { class: 'layout' },
        // At the top of the left column (of the page, on a phone): what needs a person.
        this.#needsYou.element,
        h('aside', { class: 'sidebar' }, this.#tree.element),
        h('div', { class: 'main-col' }, this.#pane.element, this.#log.element),
      ),
      this.#login.element,
    );
    this.#render();
    setInterval(() => {
      this.#tree.tick();
      this.#pane.tick();
      this.#needsYou.tick();
    }, 1000);
    setInterval(() => this.#refreshTree(0), TREE_REFRESH_MS);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.#refreshTree(0);
    });
  }

  /** Connects (again) with `token`, or with none. */
  connect(token: string | null): void {
    this.#stop();
    this.#login.hide();
    this.#root.classList.remove('signed-out');
    this.#header.connection({ kind: 'connecting' });
    const monitor = new TmuxMonitor(monitorEndpoint(), { token: token ?? undefined, snapshotOnGap: true });
    this.#monitor = monitor;
    const mine =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A): void => {
        if (this.#monitor === monitor) fn(...args);
      };

    monitor.on(
      'open',
      mine((e) => {
        if (token) storeToken(token);
        const auth = monitor.auth;
        this.#header.identity(auth && { subject: auth.subject, role: auth.role }, token !== null);
        this.#setPermissions(
          auth ? { write: auth.permissions.includes('write'), output: auth.permissions.includes('output') } : { write: true, output: true },
        );
        this.#header.connection({ kind: 'live' });
        if (!e.reconnected) this.#log.note(`Connected as ${auth ? `${auth.subject} (${auth.role})` : 'anonymous (auth is off)'}`);
      }),
    );
    monitor.on(
      'auth',
      mine((auth) => {
        this.#setPermissions({ write: auth.permissions.includes('write'), output: auth.permissions.includes('output') });
      }),
    );
    monitor.on(
      'reconnecting',
      mine((e) => {
        this.#header.connection({ kind: 'reconnecting', attempt: e.attempt, delayMs: e.delayMs, reason: e.reason || String(e.code) });
        if (e.attempt === 1) this.#log.note(`Connection lost (${e.code}${e.reason ? ` ${e.reason}` : ''}); reconnecting`);
      }),
    );
    monitor.on(
      'resumed',
      mine((e) => {
        if (e.complete) {
          this.#header.connection({ kind: 'resumed', replayed: e.replayed });
          this.#log.note(`Reconnected and resumed: ${e.replayed} missed event(s) replayed`);
        }
        this.#refreshTree(0);
        this.#pane.refresh();
      }),
    );
    monitor.on(
      'gap',
      mine((e) => {
        this.#header.connection({ kind: 'gap', reason: e.reason });
        this.#log.note(
          e.reason === 'epoch-changed'
            ? 'The server restarted: events may be missing; state re-read'
            : 'Some events were no longer held by the server; state re-read',
        );
        if (e.snapshot) this.#applyTree(e.snapshot);
        else this.#refreshTree(0);
      }),
    );
    monitor.on(
      'close',
      mine((e) => {
        if (!e.willReconnect) this.#closed(e, token);
      }),
    );
    monitor.on(
      'error',
      mine((error) => console.warn('tmux-monitor:', error)),
    );
    monitor.on(
      '*',
      mine((event) => this.#onEvent(event)),
    );

    monitor.subscribe({ types: LIVE_TYPES }).then(
      mine(() => this.#refreshTree(0)),
      () => {}, // the close handler tells the user
    );
  }

  signOut(): void {
    forgetToken();
    this.#stop();
    this.#store.applySnapshot({ seq: 0, sessions: [] });
    this.#select(null);
    this.#showLogin(null);
  }

  /** Shows a pane (by its key, see paneKey); `byUser`: a click (on a phone, bring the terminal into view). */
  select(key: string, byUser = false): void {
    this.#select(key);
    if (byUser && matchMedia('(max-width: 760px)').matches) this.#pane.element.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  /** Opens a pane to answer it: selected, in view, the reply box focused. */
  open(key: string): void {
    this.select(key, true);
    this.#pane.element.scrollIntoView({ block: 'start' });
    this.#pane.focusReply();
  }

  /** The page was opened from a notification's link: open that pane once it is known. */
  openFromLink(paneId: string, host?: string): void {
    const key = paneKey(host, paneId);
    this.#linked = key;
    this.#selected = key;
    const pane = this.#store.byKey(key);
    if (pane) {
      this.#linked = null;
      this.open(pane.key);
    }
  }

  #select(key: string | null): void {
    this.#selected = key;
    try {
      if (key) sessionStorage.setItem(SELECTED_KEY, key);
    } catch {
      // storage disabled
    }
    this.#pane.select(key ? (this.#store.byKey(key) ?? null) : null, this.#permissions);
    void this.#followOutput();
    this.#render();
  }

  #setPermissions(permissions: PanePermissions): void {
    const changed = permissions.write !== this.#permissions.write || permissions.output !== this.#permissions.output;
    this.#permissions = permissions;
    if (changed && this.#selected) this.#select(this.#selected);
  }

  #onEvent(event: MonitorEvent): void {
    // Attention has its own list at the top; the log keeps the raw events it came from.
    if (event.type !== 'agent.attention') this.#log.add(event);
    switch (event.type) {
      case 'agent.status': {
        const pane = this.#store.applyStatus(event);
        if (pane) this.#render();
        break;
      }
      case 'agent.attention': {
        const pane = this.#store.applyAttention(event);
        this.#render();
        if (pane && event.data.attention !== null) {
          const where = `${pane.session}:${pane.windowIndex}.${pane.index}`;
          const what = { waiting: 'is waiting for you', error: 'stopped on an error', done: 'is done' }[event.data.attention];
          this.#alerts.show({
            tag: pane.key,
            title: `${pane.agentType} ${what}`,
            body: `${where} (${pane.windowName})`,
            onclick: () => this.open(pane.key),
          });
        }
        break;
      }
      case 'pane.output':
        if (event.pane_id) this.#pane.output(paneKey(event.host, event.pane_id));
        break;
      case 'pane.error':
      case 'pane.warning':
        if (event.pane_id)
          this.#pane.flag(paneKey(event.host, event.pane_id), event.type === 'pane.error' ? 'error' : 'warning', event.data.line);
        break;
      case 'system.source':
        this.#sourceState(
          event.data.state === 'connected' ? null : `tmux ${event.data.state}${event.data.message ? `: ${event.data.message}` : ''}`,
        );
        this.#refreshTree(0);
        break;
      case 'system.lagged':
        break;
      default:
        // Structure changed: drop what is gone at once, re-read the rest shortly.
        if (this.#store.applyRemoval(event)) this.#render();
        this.#refreshTree(TREE_SETTLE_MS);
    }
  }

  /** Re-read the tree after `delay` ms (calls within that time share one snapshot). */
  #refreshTree(delay: number): void {
    if (!this.#monitor || this.#monitor.state !== 'open') return;
    if (this.#treeInFlight) {
      this.#treeAgain = true;
      return;
    }
    if (this.#treeTimer !== undefined) return;
    this.#treeTimer = setTimeout(() => void this.#loadTree(), delay);
  }

  async #loadTree(): Promise<void> {
    this.#treeTimer = undefined;
    const monitor = this.#monitor;
    if (!monitor) return;
    this.#treeInFlight = true;
    this.#treeAgain = false;
    try {
      const data = await monitor.snapshot();
      if (monitor !== this.#monitor) return;
      this.#sourceState(null);
      this.#applyTree(data);
    } catch (error) {
      if (monitor !== this.#monitor) return;
      const code = (error as { code?: string }).code;
      if (code === 'TMUX_UNAVAILABLE') {
        this.#sourceState('tmux is not running or not reachable; waiting for it');
        this.#applyTree({ seq: 0, sessions: [] });
      }
    } finally {
      this.#treeInFlight = false;
      if (this.#treeAgain) {
        this.#treeAgain = false;
        this.#refreshTree(TREE_SETTLE_MS);
      }
    }
  }

  #applyTree(data: SnapshotData): void {
    this.#store.applySnapshot(data);
    const linkedPane = this.#linked ? this.#store.byKey(this.#linked) : undefined;
    if (linkedPane) {
      const linked = linkedPane.key;
      this.#linked = null;
      this.#autoSelected = true;
      this.open(linked);
      return;
    }
    const selected = this.#selected ? this.#store.byKey(this.#selected) : undefined;
    if (!selected && !this.#autoSelected) {
      // First load: show the pane that most needs a look.
      this.#autoSelected = true;
      const first = this.#store.firstInterestingPane();
      if (first) return this.#select(first.key);
    }
    if (selected && this.#pane.paneKey !== selected.key) return this.#select(selected.key);
    this.#render();
  }

  /** Follow the selected pane's output (and only its). */
  async #followOutput(): Promise<void> {
    const generation = ++this.#followGeneration;
    const previous = this.#outputSubscription;
    this.#outputSubscription = null;
    previous?.unsubscribe().catch(() => {});
    const monitor = this.#monitor;
    const pane = this.#selected ? this.#store.byKey(this.#selected) : undefined;
    if (!monitor || !pane || !this.#permissions.output) return;
    try {
      const subscription = await monitor.subscribe({
        types: ['pane.output'],
        panes: [pane.id],
        ...(pane.host ? { hosts: [pane.host] } : {}),
      });
      if (generation !== this.#followGeneration || monitor !== this.#monitor) {
        subscription.unsubscribe().catch(() => {});
        return;
      }
      this.#outputSubscription = subscription;
    } catch {
      // closed meanwhile; the close handler tells the user
    }
  }

  /** Batches re-renders (events come in bursts); a timer, not rAF, so a background tab's title still updates. */
  #render(): void {
    if (this.#renderTimer !== undefined) return;
    this.#renderTimer = setTimeout(() => {
      this.#renderTimer = undefined;
      this.#tree.render(this.#store.sessions, this.#selected, this.#store.loaded);
      this.#header.counts(this.#store.counts(), (status) => {
        const pane = [...this.#store.panes()].find((p) => p.status === status);
        if (pane) this.select(pane.key, true);
      });
      this.#log.sessions(this.#store.sessions.map((s) => s.name));
      const needsYou = this.#store.needsYou();
      this.#needsYou.render(needsYou);
      // The title counts what needs a person: "(2) tmux-monitor".
      document.title = needsYou.length > 0 ? `(${needsYou.length}) tmux-monitor` : 'tmux-monitor';
      if (this.#selected) this.#pane.update(this.#store.byKey(this.#selected));
    }, 16);
  }

  #sourceState(problem: string | null): void {
    this.#banner.hidden = problem === null;
    this.#banner.textContent = problem ?? '';
  }

  #closed(e: CloseEvent, token: string | null): void {
    const code = e.error?.code;
    const message = e.error?.message ?? (e.reason || `closed (${e.code})`);
    this.#header.connection({ kind: 'closed', message });
    if (code === 'AUTH_REQUIRED' || code === 'AUTH_FAILED' || code === 'TOKEN_EXPIRED') {
      forgetToken();
      this.#stop();
      const why =
        code === 'AUTH_REQUIRED'
          ? token
            ? 'The server wants a token.'
            : null
          : code === 'TOKEN_EXPIRED'
            ? 'Your token has expired. Paste a new one.'
            : `The server refused this token: ${message}`;
      this.#showLogin(why);
      return;
    }
    this.#log.note(`Disconnected: ${message}`);
    this.#banner.hidden = false;
    this.#banner.replaceChildren(
      code === 'FORBIDDEN' ? `Access denied: ${message}` : `Disconnected: ${message}`,
      ' ',
      h('button', { class: 'ghost', onclick: () => this.connect(token) }, 'Reconnect'),
    );
  }

  #showLogin(error: string | null): void {
    this.#root.classList.add('signed-out');
    this.#header.identity(null, false);
    this.#login.show(error);
  }

  #stop(): void {
    const monitor = this.#monitor;
    this.#monitor = null;
    this.#outputSubscription = null;
    clearTimeout(this.#treeTimer);
    this.#treeTimer = undefined;
    this.#treeInFlight = false;
    this.#banner.hidden = true;
    void monitor?.close();
  }

  #requireMonitor(): TmuxMonitor {
    if (!this.#monitor) throw new Error('not connected');
    return this.#monitor;
  }
}

function readSelected(): string | null {
  try {
    return sessionStorage.getItem(SELECTED_KEY);
  } catch {
    return null;
  }
}

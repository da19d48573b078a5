/**
 * The tmux control-mode source. Design (docs/tmux-source.md):
 *
 * - One `tmux -C attach-session -f ignore-size` client per session, since `%output` only
 *   covers the attached session's panes. `ignore-size` keeps monitoring from resizing
 *   anyone's windows. A new session takes a spare client that was identified at a quiet
 *   moment (tmux 3.3a can crash when a client identifies in a burst of changes: standby.ts);
 *   clients end with their session.
 * - Structure is re-read (`list-panes -a`, `list-sessions`, `list-clients`, pipelined over
 *   the control channel) on any structural notification, and events come from diffing the
 *   old and new trees. No format subscription (`refresh-client -B`): tmux 3.3a crashes
 *   checking one for a client whose session was just killed. `@agent_state` and a pane's
 *   death arrive through two hooks instead (state-signal.ts); a changed command is seen
 *   with the output that comes with it.
 * - Output is coalesced per pane for a few ms into bounded `pane.output` events.
 * - Agent status comes from `@agent_state`, the process, then the screen, read over the
 *   control channel only after output (src/tmux/agents/).
 * - Nothing here ever awaits the consumer: events go into a bounded queue.
 * - When tmux goes away: `system.source disconnected`, then a cheap `list-sessions` probe
 *   every `reconnectIntervalMs` until a server with a session is back.
 */
import type { RawEvent, SourceState } from '../../protocol/events.ts';
import { MonitorError } from '../../protocol/errors.ts';
import type { SessionSnapshot, Target } from '../../protocol/snapshot.ts';
import type { CommandRequest, EventSource, SnapshotOptions } from '../../protocol/source.ts';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../agents/tracker.ts';
import { ControlClient, TmuxCommandError } from '../control/client.ts';
import type { ControlMessage } from '../control/messages.ts';
import { quoteArg } from '../control/quote.ts';
import { run } from '../process/index.ts';
import {
  CLIENT_FORMAT,
  FACTS_FORMAT,
  PANE_FORMAT,
  SESSION_FORMAT,
  parseClients,
  parseFactsLine,
  parseState,
  type PaneFactsLine,
} from '../state/query.ts';
import { EMPTY_STATE, type TmuxState } from '../state/model.ts';
import { commandError, SourceCore, type TmuxAccess } from './core.ts';
import { resolvePane } from './targets.ts';
import { reachesIdentifyingClients, Standby } from './standby.ts';
import { mostRecentSession, StateSignal } from './state-signal.ts';

export interface TmuxSourceOptions {
  /** tmux -L NAME */
  socketName?: string;
  /** tmux -S PATH (wins over socketName) */
  socketPath?: string;
  /** tmux binary (default `tmux`). */
  tmuxBin?: string;
  /** How often to look for a tmux server while none is there (ms, default 1000). */
  reconnectIntervalMs?: number;
  /** Output coalescing window (ms, default 4). */
  coalesceMs?: number;
  /** Largest `pane.output` content (characters, default 16 KiB). */
  maxOutputChunk?: number;
  /** Pause between typing text and pressing Enter for `command` (ms, default 300). */
  enterDelayMs?: number;
  /** Queued output kept for a slow consumer before the oldest is dropped (default 8 MiB). */
  maxQueuedOutputBytes?: number;
  /** Agent status timing. */
  agent?: Partial<TrackerOptions>;
}

/** "tmux 3.3a" → 3.3, "tmux next-3.5" → 3.5; null for "tmux master" and other builds. */
export function parseTmuxVersion(output: string): number | null {
  const m = /(\d+)\.(\d+)/.exec(output);
  return m ? Number(m[1]) + Number(m[2]) / 10 : null;
}

/**
 * Between typing a message and pressing Enter. The Tmux Orchestrator waits 0.5 s; TUI
 * agents (Ink, ratatui) take a burst of keys as a paste and an Enter inside it as a
 * newline, so some gap is needed. 0.3 s keeps commands snappy with margin.
 */
export const ENTER_DELAY_MS = 300;
/**
 * With tmux older than 3.4, a control client identifies only after this long without a
 * notification that would reach it meanwhile (standby.ts). Bursts (a session made, its
 * windows, a kill) are tens of milliseconds apart at most; people pause longer.
 */
const IDENTIFY_QUIET_MS = 250;
/**
 * Spare control clients kept ready for new sessions. One: each client is one more
 * identification at start and one more `%client-detached` broadcast at exit (itself a risk
 * for a client identifying elsewhere, another monitor's say); a second session in the same
 * burst waits for quiet.
 */
export const SPARE_CLIENTS = 1;

export function socketArgs(options: { socketName?: string; socketPath?: string }): string[] {
  if (options.socketPath) return ['-S', options.socketPath];
  if (options.socketName) return ['-L', options.socketName];
  return [];
}

const STRUCTURAL = new Set<ControlMessage['type']>([
  'window-add',
  'window-close',
  'window-renamed',
  'session-renamed',
  'sessions-changed',
  'session-window-changed',
  'window-pane-changed',
  'layout-change',
  'pane-mode-changed',
  'client-detached',
  'client-session-changed',
  'subscription-changed',
]);

export class TmuxSource implements EventSource {
  private readonly tmuxBin: string;
  private readonly sock: string[];
  private readonly core: SourceCore;
  private readonly clients = new Map<string, ControlClient>();
  private readonly starting = new Set<string>();
  private readonly ownPids = new Set<number>();
  private primary: ControlClient | null = null;
  private everConnected = false;
  private connecting: Promise<void> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  /** When clients may identify, and the spare a new session takes (standby.ts). */
  private readonly standby: Standby;
  private identifyQuietMs = IDENTIFY_QUIET_MS;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  /** Silent first reads of the panes found at start-up. */
  private baselines: Promise<void>[] = [];
  private closed = false;
  /** Dead panes whose lost exit status tmux was made to collect (see paneInfo). */
  private readonly reapNudged = new Set<string>();
  /** Pushes `@agent_state` changes at once (see state-signal.ts); removed at close. */
  private stateSignal: StateSignal | null = null;
  /** Panes people look at (their session's current window's active pane), for attention. */
  private viewed = new Set<string>();
  private readonly viewerListeners = new Set<(paneIds: ReadonlySet<string>) => void>();

  constructor(private readonly options: TmuxSourceOptions = {}) {
    this.tmuxBin = options.tmuxBin ?? 'tmux';
    this.sock = socketArgs(options);
    const access: TmuxAccess = {
      paneInfo: (paneId) => this.paneInfo(paneId),
      capture: async (paneId, history, escapes) => {
        if (!this.anyClient()) return null;
        const args = ['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-J', '-t', paneId];
        if (history !== undefined) args.push('-S', `-${history}`);
        return this.tmux(...args).catch(() => null);
      },
      sendKeys: (paneId, args) => this.send('send-keys', '-t', paneId, ...args),
    };
    const source = this;
    this.standby = new Standby({
      spares: SPARE_CLIENTS,
      get quietMs() {
        return source.identifyQuietMs;
      },
      startSpare: () => this.startSpare(),
      onQuiet: () => this.attachWaiting(),
    });
    this.core = new SourceCore(access, {
      coalesceMs: options.coalesceMs ?? 4,
      maxOutputChunk: options.maxOutputChunk ?? 16 * 1024,
      maxQueuedOutputBytes: options.maxQueuedOutputBytes,
      enterDelayMs: options.enterDelayMs ?? ENTER_DELAY_MS,
      agent: { ...DEFAULT_TRACKER_OPTIONS, ...options.agent },
    });
    void this.connect();
  }

  get state(): SourceState {
    return this.core.currentState;
  }

  /** The agent tracker and the pane index live in the shared core. */
  private get tracker() {
    return this.core.tracker;
  }

  private get panes() {
    return this.core.panes;
  }

  private get queue() {
    return this.core.queue;
  }

  private get coalescer() {
    return this.core.coalescer;
  }

  /** pane.output events dropped because the consumer read too slowly. */
  get droppedOutput(): number {
    return this.core.queue.dropped;
  }

  /** pane.output content waiting for the consumer (bounded by maxQueuedOutputBytes). */
  get queuedOutputBytes(): number {
    return this.core.queue.queuedOutputBytes;
  }

  events(): AsyncIterable<RawEvent[]> {
    return this.core.queue.drain();
  }

  watchViewers(listener: (paneIds: ReadonlySet<string>) => void): void {
    this.viewerListeners.add(listener);
    listener(this.viewed);
  }

  /** Resolves once the source is connected (or rejects after `timeoutMs`). For tests and start-up. */
  async ready(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.core.currentState !== 'connected' || this.connecting) {
      if (Date.now() > deadline) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux source not connected');
      await (this.connecting ?? new Promise((r) => setTimeout(r, 20)));
    }
  }

  async settled(): Promise<void> {
    await this.connecting?.catch(() => {});
  }

  async snapshot(target: Target | undefined, lines: number, options: SnapshotOptions = {}): Promise<SessionSnapshot[]> {
    // Asked while attaching (at start, or a server just came back): answer once attached and
    // the tree is read. (Not as soon as a first client is up: the tree is read after all
    // sessions are attached, and a client reconnecting to a restarted server got no sessions.)
    if (this.connecting) await this.connecting;
    const client = this.anyClient();
    if (!client) {
      if (await this.serverHasNoSessions()) {
        if (target && (target.session ?? target.window ?? target.pane) !== undefined) {
          throw new MonitorError('NOT_FOUND', 'no tmux sessions');
        }
        return [];
      }
      throw new MonitorError('TMUX_UNAVAILABLE', 'tmux is not running');
    }
    await this.refresh();
    return this.core.snapshot(this.core.model, target, lines, options);
  }

  async command(request: CommandRequest): Promise<void> {
    if (this.connecting) await this.connecting;
    if (!this.anyClient()) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux is not running');
    try {
      resolvePane(this.core.model, request.target);
    } catch {
      await this.refresh();
    }
    await this.core.command(this.core.model, request);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    await this.standby.close();
    await this.stateSignal?.stop();
    this.core.close();
    const clients = [...this.clients.values()];
    this.clients.clear();
    this.primary = null;
    await Promise.all(clients.map((c) => c.close()));
    await this.connecting?.catch(() => {});
    this.core.queue.end();
  }

  // --- connection -----------------------------------------------------------------

  private connect(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.connecting ??= this.doConnect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    if (!(await this.checkVersion())) return;
    const sessions = await this.listSessionIds();
    if (this.closed) return;
    if (sessions === null || sessions.length === 0) {
      this.lost(sessions === null ? 'tmux server not running' : 'tmux server has no sessions');
      return;
    }
    try {
      // Attach to every session, one at a time, least recently active first: attaching
      // counts as activity in tmux, and a plain `tmux attach` picks the most recently
      // active session, so this order leaves that choice as it was. (A session may also
      // vanish between the listing and the attach: the others still get a client.) Once one
      // client hears tmux, the others identify only while it is quiet (standby.ts); any left
      // are attached at the next quiet moment.
      for (const id of sessions) {
        if (this.anyClient() && !this.standby.quiet) break;
        await this.startClient(id).catch(() => {});
      }
      const primary = this.anyClient();
      if (!primary) throw new Error('could not attach to any session');
      this.primary = primary;
      // Only the state found at start-up is silent (clients read it with snapshot); a server
      // that appears later, or comes back, is announced with created events.
      const initial = !this.everConnected && !this.core.announcedAny;
      this.everConnected = true;
      // The signal client attaches before anyone is told `connected`: tmux 3.3a crashes when
      // a notification (a window made, a client detached) reaches a control client that is
      // still identifying itself, and a script that waits for `connected` makes one at once.
      if (initial) {
        // Read the tree and every pane's status first, so that a client that snapshots on
        // `connected` sees real statuses (they are not announced as events).
        await this.refresh(true);
        await Promise.all([...this.baselines.splice(0), this.startStateSignal()]);
        this.setState('connected', 'attached to tmux');
      } else {
        await this.startStateSignal();
        this.setState('connected', 'attached to tmux');
        await this.refresh();
      }
      // Spares (and any session left waiting) identify only after a quiet spell seen from
      // here: a script that waits for `connected` starts changing things at once.
      this.standby.noisy();
      this.standby.whenQuiet();
    } catch (e) {
      if (this.closed) return;
      if (!this.anyClient()) this.lost(`could not attach: ${(e as Error).message}`);
    }
  }

  private versionOk = false;

  /**
   * Once: is there a tmux binary new enough for this source (3.2: `attach -f`,
   * `refresh-client -B`)? If not, the state is `error` with a message saying why.
   */
  private async checkVersion(): Promise<boolean> {
    if (this.versionOk) return true;
    const r = await run(this.tmuxBin, ['-V'], { timeoutMs: 5000 });
    if (r.code !== 0) {
      this.setState('error', `cannot run ${this.tmuxBin}: ${r.stderr.trim() || `exit ${r.code}`}`);
      this.scheduleProbe();
      return false;
    }
    const version = parseTmuxVersion(r.stdout);
    // tmux 3.4 no longer writes to a control client that is still identifying itself.
    this.identifyQuietMs = version !== null && version < 3.4 ? IDENTIFY_QUIET_MS : 0;
    if (version !== null && version < 3.2) {
      // Nothing to retry: the binary will not change under us.
      this.setState('error', `${r.stdout.trim()} is older than 3.2; use the polling source (--source poll)`);
      return false;
    }
    this.versionOk = true;
    return true;
  }

  /**
   * Session ids from a one-shot `list-sessions`, least recently active first, or null when
   * no server answers.
   */
  private async listSessionIds(): Promise<string[] | null> {
    const r = await run(this.tmuxBin, [...this.sock, 'list-sessions', '-F', '#{session_activity} #{session_id}'], {
      unsetEnv: ['TMUX'],
      timeoutMs: 5000,
    });
    if (r.code !== 0) return null;
    // Activity has a resolution of one second; within a second, the later-created session
    // (higher $id) is taken as the more recent.
    const idNumber = (id: string | undefined): number => Number((id ?? '').slice(1)) || 0;
    return r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' '))
      .sort((a, b) => Number(a[0]) - Number(b[0]) || idNumber(a[1]) - idNumber(b[1]))
      .map((f) => f[1] ?? '');
  }

  private async serverHasNoSessions(): Promise<boolean> {
    const ids = await this.listSessionIds();
    return ids !== null && ids.length === 0;
  }

  /** No control client left: report everything gone, go disconnected, and look again later. */
  private lost(message: string): void {
    if (this.closed) return;
    this.core.clear();
    this.updateViewers(EMPTY_STATE);
    this.setState('disconnected', message);
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed || this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      void this.connect();
    }, this.options.reconnectIntervalMs ?? 1000);
  }

  private setState(state: SourceState, message: string): void {
    this.core.setState(state, message);
  }

  /**
   * Once quiet (standby.ts): a client for each session that has none (no spare was free
   * when it appeared), one at a time, and the signal client if it is down.
   */
  private async attachWaiting(): Promise<void> {
    if (this.closed || this.connecting || !this.everConnected) return;
    for (const s of this.core.model.sessions) if (!this.clients.has(s.id)) await this.startClient(s.id).catch(() => {});
    if (!this.stateSignal?.active && this.core.model.sessions.length > 0) await this.startStateSignal().catch(() => {});
  }

  /** A spare for the next new session: no output, parked where a plain `tmux attach` would go. */
  private async startSpare(): Promise<ControlClient | null> {
    if (this.closed || this.connecting || !this.anyClient()) return null;
    const session = (await mostRecentSession((...args) => this.tmux(...args))) ?? this.anyClient()?.session;
    if (!session || this.closed) return null;
    const client = await ControlClient.start({
      tmuxBin: this.tmuxBin,
      socketArgs: this.sock,
      session,
      flags: ['ignore-size', 'no-output'],
      // A spare's notifications repeat the other clients' (and it has no output): not ours until taken.
      onMessage: (m, c) => {
        if (!this.standby.has(c)) this.onMessage(m, c);
      },
      onExit: (reason, c) => this.onClientExit(reason, c),
    });
    if (client.pid !== undefined) this.ownPids.add(client.pid);
    return client;
  }

  /** Give a session without a client the spare (true), if one is free and tmux can switch it there. */
  private async adoptSpare(sessionId: string): Promise<boolean> {
    const spare = this.standby.take();
    if (!spare) return false;
    try {
      await spare.switchTo(sessionId);
    } catch {
      this.standby.giveBack(spare); // the session is gone already
      return false;
    }
    if (this.closed) return false;
    this.clients.set(sessionId, spare);
    return true;
  }

  private async startClient(sessionId: string): Promise<void> {
    if (this.clients.has(sessionId) || this.starting.has(sessionId) || this.closed) return;
    this.starting.add(sessionId);
    try {
      const client = await ControlClient.start({
        tmuxBin: this.tmuxBin,
        socketArgs: this.sock,
        session: sessionId,
        onMessage: (m, c) => this.onMessage(m, c),
        onExit: (reason, c) => this.onClientExit(reason, c),
      });
      if (client.pid !== undefined) this.ownPids.add(client.pid);
      if (this.closed || client.closed) {
        await client.close();
        return;
      }
      this.clients.set(sessionId, client);
      // What its panes printed before we attached was not seen: read each once now.
      const session = this.core.model.sessions.find((s) => s.id === sessionId);
      for (const window of session?.windows ?? []) for (const pane of window.panes) this.tracker.changed(pane.id);
    } finally {
      this.starting.delete(sessionId);
    }
  }

  private startStateSignal(): Promise<void> {
    this.stateSignal ??= new StateSignal({
      tmuxBin: this.tmuxBin,
      socketArgs: this.sock,
      run: (...args) => this.tmux(...args),
      session: () => this.anyClient()?.session ?? null,
      ownPids: this.ownPids,
      changed: (paneId, stateSet) => this.panes.has(paneId) && this.tracker.changed(paneId, stateSet),
      // Attaching is what may crash tmux 3.3a in a burst of changes: wait for quiet, as for sessions.
      restart: () => this.standby.whenQuiet(),
    });
    return this.stateSignal.start();
  }

  private anyClient(): ControlClient | null {
    if (this.primary && !this.primary.closed) return this.primary;
    for (const c of this.clients.values()) if (!c.closed) return c;
    return null;
  }

  private onClientExit(_reason: string, client: ControlClient): void {
    if (client.pid !== undefined) this.ownPids.delete(client.pid);
    if (this.standby.ended(client)) return;
    if (this.clients.get(client.session) === client) this.clients.delete(client.session);
    if (this.closed) return;
    if (this.primary === client) this.primary = this.anyClient();
    if (!this.anyClient() && this.starting.size === 0) {
      // Our last session went away. Other sessions may exist (or the server is gone).
      void this.connect();
    } else {
      void this.refresh().catch(() => {});
    }
  }

  // --- notifications and output ---------------------------------------------------

  private onMessage(m: ControlMessage, client: ControlClient): void {
    if (m.type === 'output') {
      const loc = this.panes.get(m.paneId);
      // A window linked into two sessions reaches both clients: take its first session's copy.
      if (loc && loc.session.id !== client.session && this.clients.has(loc.session.id)) return;
      this.coalescer.push(m.paneId, m.text, m.data.length);
      if (loc) this.tracker.output(m.paneId);
      else void this.refresh().catch(() => {});
      return;
    }
    if (m.type === 'pause') {
      // We never ask for pause-after, but if someone set it, resume at once.
      void client.send(`refresh-client -A ${quoteArg(`${m.paneId}:continue`)}`).catch(() => {});
      return;
    }
    if (reachesIdentifyingClients(m)) this.standby.noisy();
    if (STRUCTURAL.has(m.type)) void this.refresh().catch(() => {});
  }

  // --- state ----------------------------------------------------------------------

  /** Re-read the tree and emit what changed. Concurrent calls share one re-run. */
  private refresh(initial = false): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      let first = initial;
      do {
        this.refreshAgain = false;
        await this.refreshOnce(first);
        first = false;
      } while (this.refreshAgain && !this.closed);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshOnce(initial: boolean): Promise<void> {
    if (this.closed || !this.anyClient()) return;
    // While (re)connecting, changes wait for the listing that follows `connected`, so that
    // no event goes out before the state that says the source is attached.
    if (!initial && this.core.currentState !== 'connected') return;
    const [paneLines, sessionLines, clientLines] = await Promise.all([
      this.tmux('list-panes', '-a', '-F', PANE_FORMAT),
      this.tmux('list-sessions', '-F', SESSION_FORMAT),
      this.tmux('list-clients', '-F', CLIENT_FORMAT),
    ]);
    if (this.closed) return;
    const next = parseState(paneLines, sessionLines, parseClients(clientLines), this.ownPids);
    // A session without a client (new, or someone detached ours) takes a spare before anyone
    // hears of it, so its output streams from the start; with no spare free it waits for a
    // quiet moment (standby.ts).
    let waiting = false;
    for (const s of next.sessions) {
      if (this.clients.has(s.id) || this.starting.has(s.id)) continue;
      if (!(await this.adoptSpare(s.id))) waiting = true;
    }
    if (this.closed) return;
    if (waiting) this.standby.whenQuiet();
    this.updateViewers(next);
    const baselines = this.core.applyTree(next, initial, (id) => {
      for (const c of this.clients.values()) c.forgetPane(id);
      this.reapNudged.delete(id);
    });
    this.baselines.push(...baselines);

    const live = new Set(next.sessions.map((s) => s.id));
    // The state signal's client is down (its session was killed, or it could not attach): again, once quiet.
    if (this.everConnected && !this.stateSignal?.active && live.size > 0) this.standby.whenQuiet();
    else void this.stateSignal?.ensureHooks().catch(() => {});
    for (const [id, c] of this.clients) {
      if (!live.has(id) && c !== this.primary) void c.close();
    }
  }

  /**
   * A pane is looked at when a person's client (not a control client that ignores size: that
   * is a monitor) is attached to its session and it is the current window's active pane.
   */
  private updateViewers(state: TmuxState): void {
    const viewed = new Set<string>();
    for (const s of state.sessions) {
      if (s.attached === 0) continue;
      const window = s.windows.find((w) => w.active);
      const pane = window?.panes.find((p) => p.active);
      if (pane) viewed.add(pane.id);
    }
    if (viewed.size === this.viewed.size && [...viewed].every((id) => this.viewed.has(id))) return;
    this.viewed = viewed;
    for (const listener of this.viewerListeners) listener(viewed);
  }

  /** A pane's facts, fresh from tmux over the control channel. */
  private async paneInfo(paneId: string): Promise<PaneFactsLine | null> {
    if (!this.core.panes.has(paneId) || !this.anyClient()) return null;
    let info = parseFactsLine((await this.tmux('display-message', '-p', '-t', paneId, FACTS_FORMAT))[0] ?? '');
    // tmux marks a pane dead when its pty closes and learns the exit status a moment
    // later (SIGCHLD): wait a little for it so the status can say how the process ended.
    if (info.dead && info.deadStatus === null && !this.reapNudged.has(paneId)) {
      // A tmux built with libutempter (Debian's, Ubuntu's) can lose that SIGCHLD: at the
      // pty's close it runs utempter's helper with SIGCHLD set to default, and a pane
      // process that exits meanwhile stays a zombie, its status unknown and its pane-died
      // hooks unrun, until some other child of tmux exits. A job that ends at once is such
      // a child (once per pane: a status tmux never records is not asked for again). `:` is
      // the shell's no-op: it prints nothing and cannot fail, so tmux shows nothing for it.
      this.reapNudged.add(paneId);
      await this.tmux('run-shell', '-b', ':').catch(() => {});
    }
    for (let i = 0; i < 3 && info.dead && info.deadStatus === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const again = await this.tmux('display-message', '-p', '-t', paneId, FACTS_FORMAT).catch(() => null);
      if (again) info = parseFactsLine(again[0] ?? '');
    }
    return info;
  }

  /**
   * Run a command over the control channel. If the client it went to ends meanwhile (its
   * session was killed), the command is tried once more on another client.
   */
  private async tmux(...args: string[]): Promise<string[]> {
    const c = this.anyClient();
    if (!c) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux is not running');
    try {
      return await c.run(...args);
    } catch (e) {
      const other = this.anyClient();
      if (c.closed && other && other !== c && e instanceof MonitorError) return other.run(...args);
      throw e;
    }
  }

  /** A tmux command for `command()`: a target tmux cannot find is NOT_FOUND. */
  private async send(...args: string[]): Promise<void> {
    try {
      await this.tmux(...args);
    } catch (e) {
      if (e instanceof TmuxCommandError) {
        throw commandError(e.output, e.message);
      }
      throw e;
    }
  }
}

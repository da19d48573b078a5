/**
 * The polling source, for tmux older than 3.2 (no usable control mode) and as the
 * benchmark baseline: every `intervalMs` one tmux process lists the tree and captures
 * every pane; events come from diffing trees and screens. It produces the same events as
 * the control-mode source, only later and at a steady cost.
 */
import type { RawEvent, SourceState } from '../../protocol/events.ts';
import { MonitorError } from '../../protocol/errors.ts';
import type { SessionSnapshot, Target } from '../../protocol/snapshot.ts';
import type { CommandRequest, EventSource } from '../../protocol/source.ts';
import { AgentTracker, DEFAULT_TRACKER_OPTIONS } from '../agents/tracker.ts';
import type { PaneFacts } from '../agents/detect.ts';
import { OutputCoalescer } from '../output/coalescer.ts';
import { run } from '../process/index.ts';
import { diffStates, paneLocation } from '../state/diff.ts';
import { EMPTY_STATE, indexPanes, type PaneLocation, type TmuxState } from '../state/model.ts';
import { CLIENT_FORMAT, PANE_FORMAT, SESSION_FORMAT, parseClients, parseState } from '../state/query.ts';
import { EventQueue } from '../source/event-queue.ts';
import { lastLines, toSnapshot } from '../source/snapshot.ts';
import { typeTextArgs } from '../control/keys.ts';
import { narrow, resolvePane } from '../source/targets.ts';
import { ENTER_DELAY_MS, socketArgs, type TmuxSourceOptions } from '../source/tmux-source.ts';

export interface PollSourceOptions extends TmuxSourceOptions {
  /** Poll period (ms, default 500). */
  intervalMs?: number;
}

/** Marks the start of each part of the one-process poll's output. */
const MARK = '\x1e@@tmux-monitor@@';

export class PollSource implements EventSource {
  private readonly tmuxBin: string;
  private readonly sock: string[];
  private readonly queue: EventQueue;
  private readonly coalescer: OutputCoalescer;
  private readonly tracker: AgentTracker;
  private model: TmuxState = EMPTY_STATE;
  private panes = new Map<string, PaneLocation>();
  private screens = new Map<string, string[]>();
  private currentState: SourceState = 'disconnected';
  private announced: SourceState | null = null;
  private everConnected = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: PollSourceOptions = {}) {
    this.tmuxBin = options.tmuxBin ?? 'tmux';
    this.sock = socketArgs(options);
    this.queue = new EventQueue(options.maxQueuedOutputBytes);
    this.coalescer = new OutputCoalescer(
      (id) => {
        const loc = this.panes.get(id);
        return loc ? paneLocation(loc.session, loc.window, loc.pane) : null;
      },
      (events) => this.queue.push(events),
      { windowMs: 0, maxContent: options.maxOutputChunk ?? 16 * 1024 },
    );
    this.tracker = new AgentTracker(
      {
        read: async (id) => this.facts(id),
        report: (id, status, previous, agentType, reason) => {
          const loc = this.panes.get(id);
          if (!loc) return;
          this.queue.push([
            { type: 'agent.status', ...paneLocation(loc.session, loc.window, loc.pane), data: { status, previous, agent_type: agentType, reason } },
          ]);
        },
      },
      // The screen is only as fresh as the last poll: read it at once, hold as usual.
      { ...DEFAULT_TRACKER_OPTIONS, settleMs: 0, maxWaitMs: 0, ...options.agent },
    );
    this.polling = this.poll();
  }

  get state(): SourceState {
    return this.currentState;
  }

  events(): AsyncIterable<RawEvent[]> {
    return this.queue.drain();
  }

  async ready(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.currentState !== 'connected') {
      if (Date.now() > deadline) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux source not connected');
      await (this.polling ?? new Promise((r) => setTimeout(r, 20)));
      if ((this.currentState as SourceState) !== 'connected') await new Promise((r) => setTimeout(r, 20));
    }
  }

  async snapshot(target: Target | undefined, lines: number): Promise<SessionSnapshot[]> {
    const state = await this.readTree();
    if (!state) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux is not running');
    const sessions = narrow(state, target);
    let contents: Map<string, string> | undefined;
    if (lines > 0) {
      contents = new Map();
      const ids = [...new Set(sessions.flatMap((s) => s.windows.flatMap((w) => w.panes.map((p) => p.id))))];
      await Promise.all(
        ids.map(async (id) => {
          const r = await this.tmux(['capture-pane', '-p', '-J', '-t', id, '-S', `-${lines}`]);
          if (r.code === 0) contents!.set(id, lastLines(r.stdout.replace(/\n$/, '').split('\n'), lines));
        }),
      );
    }
    return toSnapshot(sessions, (id) => this.tracker.get(id), contents && ((id) => contents.get(id)));
  }

  async command(request: CommandRequest): Promise<void> {
    const state = await this.readTree();
    if (!state) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux is not running');
    const { pane } = resolvePane(state, request.target);
    const send = async (args: string[]): Promise<void> => {
      const r = await this.tmux(['send-keys', '-t', pane.id, ...args]);
      if (r.code !== 0) throw new MonitorError('NOT_FOUND', r.stderr.trim());
    };
    if (request.command === 'interrupt') return send(['C-c']);
    const text = request.text ?? '';
    for (const args of typeTextArgs(text)) await send(args);
    if (request.enter) {
      if (text !== '') await new Promise((r) => setTimeout(r, this.options.enterDelayMs ?? ENTER_DELAY_MS));
      await send(['Enter']);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling?.catch(() => {});
    this.tracker.close();
    this.coalescer.close();
    this.queue.end();
  }

  private tmux(args: string[]) {
    return run(this.tmuxBin, [...this.sock, ...args], { unsetEnv: ['TMUX'], timeoutMs: 10_000 });
  }

  private async readTree(): Promise<TmuxState | null> {
    const r = await this.tmux([
      'list-sessions', '-F', SESSION_FORMAT, ';', 'display-message', '-p', MARK, ';',
      'list-panes', '-a', '-F', PANE_FORMAT, ';', 'display-message', '-p', MARK, ';',
      'list-clients', '-F', CLIENT_FORMAT,
    ]);
    if (r.code !== 0) return r.stderr.includes('no server') || r.code === -1 ? null : EMPTY_STATE;
    const [sessions = '', panes = '', clients = ''] = r.stdout.split(MARK + '\n');
    const lines = (s: string) => s.split('\n').filter((l) => l !== '');
    return parseState(lines(panes), lines(sessions), parseClients(lines(clients)), new Set());
  }

  private async poll(): Promise<void> {
    try {
      const next = await this.readTree();
      if (this.closed) return;
      if (next === null) {
        const events = diffStates(this.model, EMPTY_STATE);
        this.model = EMPTY_STATE;
        this.panes = new Map();
        this.queue.push(events);
        this.setState('disconnected', 'tmux server not running');
      } else {
        // As with the control-mode source: the state found at start is silent, and read
        // (statuses included) before `connected`; a server that appears later is announced.
        const initial = !this.everConnected && this.announced === null;
        this.everConnected = true;
        if (!initial) this.setState('connected', 'polling tmux');
        const events = initial ? [] : diffStates(this.model, next);
        const oldPanes = this.panes;
        this.model = next;
        this.panes = indexPanes(next);
        this.queue.push(events);
        await this.pollScreens(oldPanes, initial);
        if (initial) this.setState('connected', 'polling tmux');
      }
    } catch {
      /* a failed poll is retried at the next tick */
    } finally {
      if (!this.closed) this.timer = setTimeout(() => (this.polling = this.poll()), this.options.intervalMs ?? 500);
    }
  }

  /** Capture every pane in one tmux process; new lines become output, changes re-read status. */
  private async pollScreens(oldPanes: Map<string, PaneLocation>, initial: boolean): Promise<void> {
    const ids = [...this.panes.keys()];
    for (const id of oldPanes.keys()) {
      if (!this.panes.has(id)) {
        this.tracker.removed(id);
        this.coalescer.removePane(id);
        this.screens.delete(id);
      }
    }
    if (ids.length === 0) return;
    const args: string[] = [];
    for (const id of ids) args.push('capture-pane', '-p', '-J', '-t', id, ';', 'display-message', '-p', MARK, ';');
    args.pop();
    const r = await this.tmux(args);
    if (r.code !== 0 || this.closed) return;
    const parts = r.stdout.split(MARK + '\n');
    const baselines: Promise<void>[] = [];
    ids.forEach((id, i) => {
      const screen = trimBlank((parts[i] ?? '').replace(/\n$/, '').split('\n'));
      const before = this.screens.get(id);
      this.screens.set(id, screen);
      const old = oldPanes.get(id);
      if (!old) {
        if (initial) baselines.push(this.tracker.baseline(id));
        else this.tracker.added(id);
        if (!initial && screen.length > 0) this.emitOutput(id, screen.join('\n') + '\n');
        return;
      }
      const cur = this.panes.get(id)!;
      const factsChanged =
        old.pane.command !== cur.pane.command || old.pane.dead !== cur.pane.dead || old.pane.agentState !== cur.pane.agentState;
      const added = before ? newLines(before, screen) : [];
      if (added.length > 0) this.emitOutput(id, added.join('\n') + '\n');
      if (factsChanged || added.length > 0 || !sameLines(before ?? [], screen)) this.tracker.changed(id);
    });
    this.coalescer.flush();
    await Promise.all(baselines);
  }

  private emitOutput(id: string, text: string): void {
    this.coalescer.push(id, text, new TextEncoder().encode(text).length);
  }

  private async facts(id: string): Promise<PaneFacts | null> {
    const loc = this.panes.get(id);
    if (!loc) return null;
    return {
      command: loc.pane.command,
      dead: loc.pane.dead,
      deadStatus: loc.pane.deadStatus,
      agentState: loc.pane.agentState,
      screen: (this.screens.get(id) ?? []).join('\n'),
    };
  }

  private setState(state: SourceState, message: string): void {
    this.currentState = state;
    if (this.announced === state) return;
    this.announced = state;
    this.queue.push([{ type: 'system.source', data: { state, message } }]);
  }
}

function trimBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  return lines.slice(0, end);
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/**
 * Lines of `after` that are new relative to `before`: the screen scrolled by some lines
 * (the longest suffix of `before` that starts `after`), or lines were appended below, or
 * else the lines that changed in place.
 */
export function newLines(before: string[], after: string[]): string[] {
  if (sameLines(before, after)) return [];
  // Appended below without scrolling.
  if (after.length > before.length && before.every((l, i) => l === after[i])) return after.slice(before.length);
  // Scrolled: a suffix of before is a prefix of after.
  for (let o = Math.min(before.length, after.length) - 1; o > 0; o--) {
    let ok = true;
    for (let i = 0; i < o; i++) {
      if (before[before.length - o + i] !== after[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return after.slice(o);
  }
  return after.filter((l, i) => l !== before[i]);
}

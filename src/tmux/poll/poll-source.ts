/**
 * The polling source, for tmux older than 3.2 (no usable control mode) and as the
 * benchmark baseline: every `intervalMs` one tmux process lists the tree and captures
 * every pane; events come from diffing trees and screens. It produces the same events as
 * the control-mode source, only later and at a steady cost.
 */
import type { RawEvent, SourceState } from '../../protocol/events.ts';
import { MonitorError } from '../../protocol/errors.ts';
import type { SessionSnapshot, Target } from '../../protocol/snapshot.ts';
import type { CommandRequest, EventSource, SnapshotOptions } from '../../protocol/source.ts';
import { DEFAULT_TRACKER_OPTIONS } from '../agents/tracker.ts';
import { run } from '../process/index.ts';
import type { TmuxState } from '../state/model.ts';
import { CLIENT_FORMAT, PANE_FORMAT, SESSION_FORMAT, parseClients, parseState } from '../state/query.ts';
import { commandError, SourceCore, type TmuxAccess } from '../source/core.ts';
import { ENTER_DELAY_MS, socketArgs, type TmuxSourceOptions } from '../source/tmux-source.ts';

const NO_SERVER = /no server running|error connecting to/;

export interface PollSourceOptions extends TmuxSourceOptions {
  /** Poll period (ms, default 500). */
  intervalMs?: number;
}

/** Marks the start of each part of the one-process poll's output. */
const MARK = '\x1e@@tmux-monitor@@';

export class PollSource implements EventSource {
  private readonly tmuxBin: string;
  private readonly sock: string[];
  private readonly core: SourceCore;
  private screens = new Map<string, string[]>();
  private everConnected = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: PollSourceOptions = {}) {
    this.tmuxBin = options.tmuxBin ?? 'tmux';
    this.sock = socketArgs(options);
    const access: TmuxAccess = {
      // The facts are as fresh as the last poll (one process reads them all).
      paneInfo: async (id) => {
        const loc = this.core.panes.get(id);
        if (!loc) return null;
        const p = loc.pane;
        return {
          pid: p.pid,
          command: p.command,
          dead: p.dead,
          deadStatus: p.deadStatus,
          agentState: p.agentState,
          alternate: p.alternate,
          cursor: p.cursor,
          // Every poll reads every pane's dead flag: no extra reads for a silent end.
          remainOnExit: false,
          title: p.title,
        };
      },
      capture: async (id, history, escapes) => {
        if (history === undefined) return this.screens.get(id) ?? null;
        const r = await this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-J', '-t', id, '-S', `-${history}`]);
        return r.code === 0 ? r.stdout.replace(/\n$/, '').split('\n') : null;
      },
      sendKeys: async (id, args) => {
        const r = await this.tmux(['send-keys', '-t', id, ...args]);
        if (r.code !== 0) throw commandError(r.stderr.trim() || 'no such pane');
      },
    };
    this.core = new SourceCore(access, {
      coalesceMs: 0,
      maxOutputChunk: options.maxOutputChunk ?? 16 * 1024,
      maxQueuedOutputBytes: options.maxQueuedOutputBytes,
      enterDelayMs: options.enterDelayMs ?? ENTER_DELAY_MS,
      // The screen is only as fresh as the last poll: read it at once, hold as usual.
      agent: { ...DEFAULT_TRACKER_OPTIONS, settleMs: 0, maxWaitMs: 0, ...options.agent },
    });
    this.polling = this.poll();
  }

  get state(): SourceState {
    return this.core.currentState;
  }

  events(): AsyncIterable<RawEvent[]> {
    return this.core.queue.drain();
  }

  async ready(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.core.currentState !== 'connected') {
      if (Date.now() > deadline) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux source not connected');
      await (this.polling ?? new Promise((r) => setTimeout(r, 20)));
      if ((this.core.currentState as SourceState) !== 'connected') await new Promise((r) => setTimeout(r, 20));
    }
  }

  async settled(): Promise<void> {
    await this.polling?.catch(() => {});
  }

  async snapshot(target: Target | undefined, lines: number, options: SnapshotOptions = {}): Promise<SessionSnapshot[]> {
    const state = await this.readTree();
    if (!state) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux is not running');
    return this.core.snapshot(state, target, lines, options);
  }

  async command(request: CommandRequest): Promise<void> {
    const state = await this.readTree();
    if (!state) throw new MonitorError('TMUX_UNAVAILABLE', 'tmux is not running');
    await this.core.command(state, request);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling?.catch(() => {});
    this.core.close();
    this.core.queue.end();
  }

  private tmux(args: string[]) {
    return run(this.tmuxBin, [...this.sock, ...args], { unsetEnv: ['TMUX'], timeoutMs: 10_000 });
  }

  private async readTree(): Promise<TmuxState | null> {
    const r = await this.tmux([
      'list-sessions',
      '-F',
      SESSION_FORMAT,
      ';',
      'display-message',
      '-p',
      MARK,
      ';',
      'list-panes',
      '-a',
      '-F',
      PANE_FORMAT,
      ';',
      'display-message',
      '-p',
      MARK,
      ';',
      'list-clients',
      '-F',
      CLIENT_FORMAT,
    ]);
    // No server: "no server running on …" when its socket refuses, "error connecting to …"
    // when there is no socket file at all (a server never started, or its file removed).
    if (r.code !== 0) return NO_SERVER.test(r.stderr) || r.code === -1 ? null : { sessions: [] };
    const [sessions = '', panes = '', clients = ''] = r.stdout.split(MARK + '\n');
    const lines = (s: string) => s.split('\n').filter((l) => l !== '');
    return parseState(lines(panes), lines(sessions), parseClients(lines(clients)), new Set());
  }

  private async poll(): Promise<void> {
    try {
      const next = await this.readTree();
      if (this.closed) return;
      if (next === null) {
        this.core.clear();
        this.screens.clear();
        this.core.setState('disconnected', 'tmux server not running');
      } else {
        // As with the control-mode source: the state found at start is silent, and read
        // (statuses included) before `connected`; a server that appears later is announced.
        const initial = !this.everConnected && !this.core.announcedAny;
        this.everConnected = true;
        if (!initial) this.core.setState('connected', 'polling tmux');
        const oldIds = new Set(this.core.panes.keys());
        // Screens first, so that the tracker's reads of new and changed panes see them.
        const changed = await this.pollScreens([...indexIds(next)], oldIds, initial);
        if (this.closed) return;
        const baselines = this.core.applyTree(next, initial, (id) => this.screens.delete(id));
        for (const id of changed) if (oldIds.has(id) && this.core.panes.has(id)) this.core.tracker.output(id);
        this.core.coalescer.flush();
        await Promise.all(baselines);
        if (initial) this.core.setState('connected', 'polling tmux');
      }
    } catch {
      /* a failed poll is retried at the next tick */
    } finally {
      if (!this.closed) this.timer = setTimeout(() => (this.polling = this.poll()), this.options.intervalMs ?? 500);
    }
  }

  /**
   * Capture every pane in one tmux process. New lines of known panes become output (a new
   * pane's whole screen, once it is listed); returns the panes whose screen changed.
   */
  private async pollScreens(ids: string[], known: Set<string>, initial: boolean): Promise<string[]> {
    if (ids.length === 0) return [];
    const args: string[] = [];
    for (const id of ids) args.push('capture-pane', '-p', '-J', '-t', id, ';', 'display-message', '-p', MARK, ';');
    args.pop();
    const r = await this.tmux(args);
    if (r.code !== 0 || this.closed) return [];
    const parts = r.stdout.split(MARK + '\n');
    const changed: string[] = [];
    ids.forEach((id, i) => {
      const screen = trimBlank((parts[i] ?? '').replace(/\n$/, '').split('\n'));
      const before = this.screens.get(id);
      this.screens.set(id, screen);
      if (!known.has(id)) {
        if (!initial && screen.length > 0) this.emitOutput(id, screen.join('\n') + '\n');
        return;
      }
      const added = before ? newLines(before, screen) : [];
      if (added.length > 0) this.emitOutput(id, added.join('\n') + '\n');
      if (!sameLines(before ?? [], screen)) changed.push(id);
    });
    return changed;
  }

  private emitOutput(id: string, text: string): void {
    this.core.coalescer.push(id, text, new TextEncoder().encode(text).length);
  }
}

function indexIds(state: TmuxState): Set<string> {
  const ids = new Set<string>();
  for (const s of state.sessions) for (const w of s.windows) for (const p of w.panes) ids.add(p.id);
  return ids;
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

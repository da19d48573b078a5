/**
 * What the control-mode source and the polling source share: the event queue, the output
 * coalescer, the agent tracker, the tree and the check of what changed in it, the facts
 * read for a pane's status, snapshots and commands. A source only says how it talks to
 * tmux (a `TmuxAccess`) and when the tree or a pane changed.
 */
import type { AgentStatus, RawEvent, SourceState } from '../../protocol/events.ts';
import { MonitorError } from '../../protocol/errors.ts';
import type { SessionSnapshot, Target } from '../../protocol/snapshot.ts';
import type { CommandRequest, SnapshotOptions } from '../../protocol/source.ts';
import type { PaneFacts } from '../agents/detect.ts';
import { AgentTracker, DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../agents/tracker.ts';
import { OutputCoalescer } from '../output/coalescer.ts';
import { foregroundChildren } from '../process/tree.ts';
import { diffStates, paneLocation } from '../state/diff.ts';
import { EMPTY_STATE, indexPanes, type PaneInfo, type PaneLocation, type TmuxState } from '../state/model.ts';
import type { PaneFactsLine } from '../state/query.ts';
import { EventQueue } from './event-queue.ts';
import { lastLines, toSnapshot } from './snapshot.ts';
import { typeTextArgs } from '../control/keys.ts';
import { narrow, resolvePane } from './targets.ts';

/** How a source reads a pane and sends keys. */
export interface TmuxAccess {
  /** The pane's facts, fresh from tmux where the source can (null: the pane is gone). */
  paneInfo(paneId: string): Promise<PaneFactsLine | null>;
  /** The visible screen (`capture-pane -p -J`), or the last `history` lines and the screen; null if gone. */
  capture(paneId: string, history?: number, escapes?: boolean): Promise<string[] | null>;
  /** `send-keys -t PANE …args`; a pane tmux cannot find is NOT_FOUND. */
  sendKeys(paneId: string, args: string[]): Promise<void>;
}

export interface CoreOptions {
  coalesceMs: number;
  maxOutputChunk: number;
  maxQueuedOutputBytes?: number;
  enterDelayMs: number;
  agent: TrackerOptions;
}

/** The pane facts that, when they change, call for a fresh status. */
export function paneChanged(a: PaneInfo, b: PaneInfo): boolean {
  return (
    a.command !== b.command ||
    a.dead !== b.dead ||
    a.deadStatus !== b.deadStatus ||
    a.agentState !== b.agentState ||
    a.pid !== b.pid ||
    a.alternate !== b.alternate
  );
}

export class SourceCore {
  readonly queue: EventQueue;
  readonly coalescer: OutputCoalescer;
  readonly tracker: AgentTracker;
  model: TmuxState = EMPTY_STATE;
  panes = new Map<string, PaneLocation>();
  currentState: SourceState = 'disconnected';
  private announced: SourceState | null = null;

  constructor(
    private readonly access: TmuxAccess,
    private readonly options: CoreOptions,
  ) {
    this.queue = new EventQueue(options.maxQueuedOutputBytes);
    this.coalescer = new OutputCoalescer(
      (paneId) => {
        const loc = this.panes.get(paneId);
        return loc ? paneLocation(loc.session, loc.window, loc.pane) : null;
      },
      (events) => this.queue.push(events),
      { windowMs: options.coalesceMs, maxContent: options.maxOutputChunk },
    );
    this.tracker = new AgentTracker(
      {
        read: (paneId) => this.readFacts(paneId),
        report: (paneId, status, previous, agentType, reason) => this.reportStatus(paneId, status, previous, agentType, reason),
      },
      { ...DEFAULT_TRACKER_OPTIONS, ...options.agent },
    );
  }

  /** Has the source announced a state yet (the first tree is read silently)? */
  get announcedAny(): boolean {
    return this.announced !== null;
  }

  setState(state: SourceState, message: string): void {
    this.currentState = state;
    if (this.announced === state) return;
    this.announced = state;
    this.queue.push([{ type: 'system.source', data: { state, message } }]);
  }

  /**
   * Take a new tree: emit what changed (nothing for the initial one), and tell the tracker
   * about panes that came, went or changed. Returns the silent first reads of an initial tree.
   */
  applyTree(next: TmuxState, initial: boolean, onRemoved?: (paneId: string) => void): Promise<void>[] {
    const events = initial ? [] : diffStates(this.model, next);
    const oldPanes = this.panes;
    // Output read before this change goes out before it (a pane's last words before its removal).
    if (events.length > 0) this.coalescer.flush();
    this.model = next;
    this.panes = indexPanes(next);
    this.queue.push(events);
    const baselines: Promise<void>[] = [];
    for (const [id, loc] of this.panes) {
      const old = oldPanes.get(id);
      if (!old) {
        if (initial) baselines.push(this.tracker.baseline(id));
        else this.tracker.added(id);
      } else if (paneChanged(old.pane, loc.pane)) {
        this.tracker.changed(id);
      }
    }
    for (const id of oldPanes.keys()) {
      if (this.panes.has(id)) continue;
      this.tracker.removed(id);
      this.coalescer.removePane(id);
      onRemoved?.(id);
    }
    // Output that arrived before its pane was listed can go out now.
    if (this.coalescer.hasPending()) this.coalescer.flush();
    return baselines;
  }

  /** tmux went away: everything is removed. */
  clear(): void {
    const events = diffStates(this.model, EMPTY_STATE);
    for (const id of this.panes.keys()) {
      this.tracker.removed(id);
      this.coalescer.removePane(id);
    }
    this.model = EMPTY_STATE;
    this.panes = new Map();
    this.queue.push(events);
  }

  /** Facts for the agent tracker: the pane's process, title, screen mode, cursor, children and screen. */
  async readFacts(paneId: string): Promise<PaneFacts | null> {
    if (!this.panes.has(paneId)) return null;
    const [info, screen] = await Promise.all([this.access.paneInfo(paneId), this.access.capture(paneId)]);
    if (!info || !screen) return null;
    // A death learnt here (tmux sends no notification for it) goes into the tree too, so that
    // snapshots and the pane's removal tell it without waiting for the next listing.
    const pane = this.panes.get(paneId)?.pane;
    if (pane && info.dead) {
      pane.dead = true;
      pane.deadStatus = info.deadStatus;
    }
    const children = info.dead ? [] : await foregroundChildren(info.pid).catch(() => []);
    return {
      command: info.command,
      dead: info.dead,
      deadStatus: info.deadStatus,
      agentState: info.agentState,
      screen: screen.join('\n'),
      title: info.title,
      alternate: info.alternate,
      cursor: info.cursor,
      remainOnExit: info.remainOnExit,
      children,
      secondsSinceOutput: null,
    };
  }

  async snapshot(state: TmuxState, target: Target | undefined, lines: number, options: SnapshotOptions = {}): Promise<SessionSnapshot[]> {
    const sessions = narrow(state, target);
    let contents: Map<string, string> | undefined;
    if (lines > 0) {
      contents = new Map();
      const ids = [...new Set(sessions.flatMap((s) => s.windows.flatMap((w) => w.panes.map((p) => p.id))))];
      await Promise.all(
        ids.map(async (id) => {
          const captured = await this.access.capture(id, lines, options.escapes).catch(() => null);
          if (captured) contents!.set(id, lastLines(captured, lines));
        }),
      );
    }
    return toSnapshot(sessions, (id) => this.tracker.get(id), contents && ((id) => contents.get(id)));
  }

  /** Send keys for a `command` request to the pane it names in `state`. */
  async command(state: TmuxState, request: CommandRequest): Promise<void> {
    const paneId = resolvePane(state, request.target).pane.id;
    if (request.command === 'interrupt') {
      await this.access.sendKeys(paneId, ['C-c']);
      return;
    }
    const text = request.text ?? '';
    // Literal runs as they are, control bytes (NUL included) as hex: exactly what was asked, never cut short.
    for (const args of typeTextArgs(text)) await this.access.sendKeys(paneId, args);
    if (request.enter) {
      // Like the Tmux Orchestrator's send-message: text, a pause, then Enter, so that TUIs
      // that treat fast input as a paste take the Enter as "submit".
      if (text !== '') await new Promise((r) => setTimeout(r, this.options.enterDelayMs));
      await this.access.sendKeys(paneId, ['Enter']);
    }
  }

  close(): void {
    this.tracker.close();
    this.coalescer.flush();
    this.coalescer.close();
  }

  private reportStatus(paneId: string, status: AgentStatus, previous: AgentStatus, agentType: string, reason: string): void {
    const loc = this.panes.get(paneId);
    if (!loc) return;
    const event: RawEvent = {
      type: 'agent.status',
      ...paneLocation(loc.session, loc.window, loc.pane),
      data: { status, previous, agent_type: agentType, reason },
    };
    this.queue.push([event]);
  }
}

/** NOT_FOUND when tmux's answer says it cannot find the target, else INTERNAL_ERROR. */
export function commandError(output: string, message = output): MonitorError {
  return new MonitorError(/can't find|not found|no such/i.test(output) ? 'NOT_FOUND' : 'INTERNAL_ERROR', message);
}

/**
 * Per-pane agent status over time. Screens are read only after output (when it settles,
 * or at least every `maxWaitMs` while output keeps coming), so nothing runs while
 * nothing happens (but for `exitChecksMs`: three reads after the last change of a pane
 * that stays when its program ends). A status guessed from the screen must hold for
 * `holdMs` before it is reported, counted from the pane's last change (its last output,
 * or a change of command, dead flag or `@agent_state`): a screen read after output
 * settled has already shown the same thing since then. A status an agent set itself
 * (`@agent_state`, from its hooks) and a process exit are reported at once. Only changes
 * are reported.
 *
 * The tracker also remembers which agent ran in a pane, so that when the agent's process
 * ends and the shell is back, the pane reads `exited` with that agent's type until another
 * program starts there.
 *
 * An `@agent_state` is the agent's word only while the agent runs. One that quits without
 * its exit hook (Codex's `/quit`, a crash, `kill`) leaves its last value set; so the value a
 * pane has when its foreground program gives way to the shell is stale, and is ignored until
 * it changes (a new value, or unset and set again). A value set on a shell pane by hand, or an
 * `exited` from the agent's own exit hook, is trusted as before.
 */
import type { AgentStatus } from '../../protocol/events.ts';
import { detect, identify, isShell, parseAgentState, type PaneFacts } from './detect.ts';
import type { Detection } from './types.ts';

export interface TrackerOptions {
  /** Quiet time after output before the screen is read. */
  settleMs: number;
  /** Longest wait for a read while output keeps coming (spinners never settle). */
  maxWaitMs: number;
  /** How long a new status must hold before it is reported. */
  holdMs: number;
  /**
   * A pane with `remain-on-exit` is read again this long after its last read, then this
   * long after that, …, while nothing else happens in it. tmux built with libutempter (as
   * Debian's and Ubuntu's are) can lose the SIGCHLD of a pane's program that ends the
   * moment its pty closes (tmux/tmux#311, #4559): the pane is then dead with no exit status,
   * no `pane-died` hook runs, and output printed in the same instant is dropped for control
   * clients, so nothing at all tells of the end. These reads see the dead flag, and the
   * source then makes tmux reap the process (tmux-source.ts, paneInfo). A program that
   * ends in silence later than the last check is seen at the pane's next change.
   */
  exitChecksMs: readonly number[];
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = { settleMs: 100, maxWaitMs: 400, holdMs: 200, exitChecksMs: [500, 2500, 10_000] };

export interface TrackerHost {
  /** Read a pane's facts (fresh command, dead flag, @agent_state, screen); null if the pane is gone. */
  read(paneId: string): Promise<PaneFacts | null>;
  /** Report a status change. */
  report(paneId: string, status: AgentStatus, previous: AgentStatus, agentType: string, reason: string): void;
}

interface PaneTrack {
  current: Detection;
  pending: Detection | null;
  holdTimer: ReturnType<typeof setTimeout> | null;
  readTimer: ReturnType<typeof setTimeout> | null;
  /** The next `exitChecksMs` read, and which of them it is (reset by any change of the pane). */
  exitTimer: ReturnType<typeof setTimeout> | null;
  exitCheck: number;
  dirtySince: number;
  reading: boolean;
  again: boolean;
  /** Agent type seen on screen, kept while the pane runs the same command. */
  sticky: { type: string; command: string } | null;
  /** The agent that ran here last, until another program starts (for `exited`). */
  lastAgent: string | null;
  /** When the pane last printed (ms since the epoch), 0 if not seen. */
  lastOutput: number;
  /** When the pane last printed or changed otherwise: what a screen guess has held since. */
  changedAt: number;
  /** Set while the initial (silent) read is under way: other reads then report nothing. */
  silent: boolean;
  /** The foreground command at the last read (null before the first). */
  lastCommand: string | null;
  /** The `@agent_state` left by a program that went back to the shell: ignored while unchanged. */
  staleState: string | null;
  /** `@agent_state` was just set (the push signal saw its value change): not a leftover. */
  freshState: boolean;
}

/** A tmux client in front is a person's `tmux set … @agent_state` at the shell, not a program that set it and left. */
const TMUX_CLIENT = /^tmux$/;

export class AgentTracker {
  private readonly panes = new Map<string, PaneTrack>();
  private closed = false;

  constructor(
    private readonly host: TrackerHost,
    private readonly options: TrackerOptions = DEFAULT_TRACKER_OPTIONS,
  ) {}

  /** The status to show in snapshots. */
  get(paneId: string): { status: AgentStatus; agent_type: string } {
    const t = this.panes.get(paneId);
    return t ? { status: t.current.status, agent_type: t.current.agent_type } : { status: 'unknown', agent_type: 'unknown' };
  }

  has(paneId: string): boolean {
    return this.panes.has(paneId);
  }

  /** Read a pane now and take the result as its status without reporting it (initial state). */
  async baseline(paneId: string): Promise<void> {
    const t = this.track(paneId);
    t.silent = true;
    const facts = await this.host.read(paneId).catch(() => null);
    t.silent = false;
    if (!facts || this.closed) return;
    t.current = this.decide(t, facts);
    this.watchExit(paneId, t, facts);
  }

  /** A new pane: its status starts `unknown` and is reported once read. */
  added(paneId: string): void {
    this.track(paneId).exitCheck = 0;
    this.schedule(paneId, 0);
  }

  /** The pane printed something: read its screen once output settles. */
  output(paneId: string): void {
    const t = this.panes.get(paneId);
    if (t) {
      t.lastOutput = t.changedAt = Date.now();
      t.exitCheck = 0;
    }
    this.schedule(paneId, this.options.settleMs);
  }

  /**
   * Command, dead flag or @agent_state may have changed: read soon. `stateSet`: the push
   * signal saw the pane's `@agent_state` take a new value just now, so the value read is
   * the agent's (or a person's) word of this moment, never one left behind by a program
   * that went back to the shell.
   */
  changed(paneId: string, stateSet = false): void {
    const t = this.track(paneId);
    if (stateSet) t.freshState = true;
    t.changedAt = Date.now();
    t.exitCheck = 0;
    this.schedule(paneId, 0);
  }

  removed(paneId: string): void {
    const t = this.panes.get(paneId);
    if (!t) return;
    if (t.holdTimer) clearTimeout(t.holdTimer);
    if (t.readTimer) clearTimeout(t.readTimer);
    if (t.exitTimer) clearTimeout(t.exitTimer);
    this.panes.delete(paneId);
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.panes.keys()]) this.removed(id);
  }

  private track(paneId: string): PaneTrack {
    let t = this.panes.get(paneId);
    if (!t) {
      t = {
        current: { status: 'unknown', agent_type: 'unknown', reason: 'not read yet' },
        pending: null,
        holdTimer: null,
        readTimer: null,
        exitTimer: null,
        exitCheck: 0,
        dirtySince: 0,
        reading: false,
        again: false,
        sticky: null,
        lastAgent: null,
        lastOutput: 0,
        changedAt: Date.now(),
        silent: false,
        lastCommand: null,
        staleState: null,
        freshState: false,
      };
      this.panes.set(paneId, t);
    }
    return t;
  }

  private schedule(paneId: string, delay: number): void {
    if (this.closed) return;
    const t = this.track(paneId);
    if (t.reading) {
      t.again = true;
      return;
    }
    const now = Date.now();
    if (t.readTimer) clearTimeout(t.readTimer);
    else t.dirtySince = now;
    // Wait for quiet, but never longer than maxWaitMs since the first unread change.
    const due = Math.min(now + delay, t.dirtySince + this.options.maxWaitMs);
    t.readTimer = setTimeout(() => void this.read(paneId), Math.max(0, due - now));
  }

  private async read(paneId: string): Promise<void> {
    const t = this.panes.get(paneId);
    if (!t || this.closed) return;
    t.readTimer = null;
    t.reading = true;
    t.again = false;
    let facts: PaneFacts | null = null;
    try {
      facts = await this.host.read(paneId);
    } catch {
      facts = null;
    }
    t.reading = false;
    if (this.closed || this.panes.get(paneId) !== t) return;
    if (facts && t.silent) t.current = this.decide(t, facts);
    else if (facts) {
      const d = this.decide(t, facts);
      // An agent's own word (its hooks) and a process exit are facts, not guesses: no hold.
      if (d.reason === '@agent_state' || facts.dead) this.commit(paneId, t, d);
      else this.propose(paneId, t, d);
    }
    if (facts) this.watchExit(paneId, t, facts);
    if (t.again) this.schedule(paneId, this.options.settleMs);
  }

  /** After a read of a live `remain-on-exit` pane: read it again later, in case it ends unannounced (`exitChecksMs`). */
  private watchExit(paneId: string, t: PaneTrack, facts: PaneFacts): void {
    if (t.exitTimer) clearTimeout(t.exitTimer);
    t.exitTimer = null;
    const delay = this.options.exitChecksMs[t.exitCheck];
    if (!facts.remainOnExit || facts.dead || delay === undefined) return;
    t.exitCheck++;
    t.exitTimer = setTimeout(() => {
      t.exitTimer = null;
      if (!this.closed && this.panes.get(paneId) === t) this.schedule(paneId, 0);
    }, delay);
  }

  /**
   * The `@agent_state` to trust ('' for none): not the value the pane had when its program
   * went back to the shell, until that value changes. (Only a change can be seen: the push
   * signal and the poll read values, so setting the same value again is not told apart.)
   */
  private trustedState(t: PaneTrack, facts: PaneFacts): string {
    if (t.staleState !== null && facts.agentState !== t.staleState) t.staleState = null;
    const previous = t.lastCommand;
    if (!facts.dead) t.lastCommand = facts.command;
    if (t.freshState) {
      t.freshState = false;
      t.staleState = null;
      return facts.agentState;
    }
    const backAtShell = previous !== null && !isShell(previous) && !TMUX_CLIENT.test(previous) && !facts.dead && isShell(facts.command);
    if (backAtShell) {
      const left = parseAgentState(facts.agentState);
      // The agent's own exit hook said `exited`: that is the truth, not a leftover.
      if (left !== null && left !== 'exited') t.staleState = facts.agentState;
    }
    return t.staleState === null ? facts.agentState : '';
  }

  private decide(t: PaneTrack, facts: PaneFacts): Detection {
    facts = { ...facts, agentState: this.trustedState(t, facts) };
    if (facts.secondsSinceOutput === undefined || facts.secondsSinceOutput === null) {
      facts.secondsSinceOutput = t.lastOutput === 0 ? null : (Date.now() - t.lastOutput) / 1000;
    }
    if (t.sticky && t.sticky.command !== facts.command) t.sticky = null;
    const shell = isShell(facts.command);
    const type = identify(facts, t.sticky?.type);
    if (type !== 'shell' && !shell) t.sticky = { type, command: facts.command };
    const d = detect(facts, t.sticky?.type, { lastAgent: t.lastAgent });
    if (!shell && !facts.dead) {
      // A program runs: an agent becomes the pane's last agent; any other program ends the
      // `exited` of the agent before it.
      t.lastAgent = d.agent_type !== 'shell' && d.agent_type !== 'unknown' ? d.agent_type : null;
    } else if (d.status === 'ready' && d.agent_type === 'shell') {
      // Back at a plain prompt with another program's command line after the agent's.
      t.lastAgent = null;
    } else if (d.agent_type !== 'shell' && d.agent_type !== 'unknown') {
      // Learnt from the screen (the agent's screen above the prompt, an agent run by a
      // shell script) or remembered.
      t.lastAgent = d.agent_type;
    }
    return d;
  }

  /** Report a status now (if it changed), dropping any guess that was being held. */
  private commit(paneId: string, t: PaneTrack, d: Detection): void {
    if (t.holdTimer) clearTimeout(t.holdTimer);
    t.holdTimer = null;
    t.pending = null;
    const previous = t.current;
    t.current = d;
    if (previous.status === d.status && previous.agent_type === d.agent_type) return;
    this.host.report(paneId, d.status, previous.status, d.agent_type, d.reason);
  }

  /**
   * Debounce: a candidate must stay the same for holdMs (no other candidate seen meanwhile),
   * counted from the pane's last change: the screen was read after that change, with nothing
   * printed in between, so it has shown this candidate since then. (Output during the read
   * moves `changedAt` on and schedules another read.)
   */
  private propose(paneId: string, t: PaneTrack, d: Detection): void {
    const same = (a: Detection, b: Detection): boolean => a.status === b.status && a.agent_type === b.agent_type;
    // Learning the agent type while the status is still unknown is not worth an event.
    if (same(d, t.current) || (d.status === 'unknown' && t.current.status === 'unknown')) {
      t.current = d;
      t.pending = null;
      if (t.holdTimer) clearTimeout(t.holdTimer);
      t.holdTimer = null;
      return;
    }
    if (t.pending && same(t.pending, d) && t.holdTimer) {
      t.pending = d;
      return;
    }
    if (t.holdTimer) clearTimeout(t.holdTimer);
    t.pending = d;
    t.holdTimer = setTimeout(
      () => {
        t.holdTimer = null;
        const next = t.pending;
        t.pending = null;
        if (!next || this.closed || this.panes.get(paneId) !== t) return;
        const previous = t.current.status;
        t.current = next;
        this.host.report(paneId, next.status, previous, next.agent_type, next.reason);
      },
      Math.max(0, t.changedAt + this.options.holdMs - Date.now()),
    );
  }
}

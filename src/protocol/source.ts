import type { RawEvent, SourceState } from './events.ts';
import type { SessionSnapshot, Target } from './snapshot.ts';

/**
 * A source of events: the tmux control-mode source, the polling source, or the in-memory
 * source used by tests and embedders. The hub pulls `events()` once and owns the loop.
 *
 * Batches: a source yields arrays so that per-batch work (stamping, fan-out bookkeeping)
 * is done once per read from tmux rather than once per event.
 */
export interface EventSource {
  /** Live events, in batches. Ends when the source is closed. */
  events(): AsyncIterable<RawEvent[]>;
  /** Current state of the connection to tmux. */
  readonly state: SourceState;
  /**
   * The current tree, narrowed to `target` if given. With `lines > 0` each pane includes
   * its last `lines` lines of text in `content`. Throws MonitorError('NOT_FOUND') for an
   * unknown target and MonitorError('TMUX_UNAVAILABLE') when tmux is not reachable.
   */
  snapshot(target: Target | undefined, lines: number, options?: SnapshotOptions): Promise<SessionSnapshot[]>;
  /** Send text (and Enter unless `enter` is false) or an interrupt (C-c) to a pane. */
  command(request: CommandRequest): Promise<void>;
  /**
   * Optional (v1.1 attention): call `listener` with the ids of the panes people are looking
   * at in tmux (a person's client shows them as the active pane), now and on every change.
   */
  watchViewers?(listener: (paneIds: ReadonlySet<string>, host?: string) => void): void;
  /**
   * Optional: resolves once the first attempt to reach tmux has ended, attached or not. A
   * bus agent announces its host after it, so that "connected" means its panes are watched
   * (output typed before the attach is in no event).
   */
  settled?(): Promise<void>;
  /** Stop watching; `events()` then ends. */
  close(): Promise<void>;
}

/** v1.1 snapshot options. */
export interface SnapshotOptions {
  /** Keep colours and attributes (SGR sequences, `capture-pane -e`) in `content`. */
  escapes?: boolean;
}

export interface CommandRequest {
  target: { host?: string; session: string; window: string | number; pane?: string | number };
  command: 'send' | 'interrupt';
  text?: string;
  enter: boolean;
}

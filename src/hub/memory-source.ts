import type { RawEvent, SourceState } from '../protocol/events.ts';
import type { SessionSnapshot, Target } from '../protocol/snapshot.ts';
import type { CommandRequest, EventSource } from '../protocol/source.ts';
import { MonitorError } from '../protocol/errors.ts';

/**
 * An event source driven from code: tests, embedders and benchmarks push events and
 * set the state that snapshots return. Events pushed in the same tick are delivered as
 * one batch.
 */
export interface MemorySource extends EventSource {
  push(...events: RawEvent[]): void;
  /** The tree `snapshot()` returns. */
  sessions: SessionSnapshot[];
  /** Commands received, newest last. */
  readonly commands: CommandRequest[];
  /** Emits `system.source` and changes `state`. */
  setState(state: SourceState, message?: string): void;
}

export function createMemorySource(initial: SessionSnapshot[] = []): MemorySource {
  let queue: RawEvent[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  let state: SourceState = 'connected';
  const commands: CommandRequest[] = [];

  const source: MemorySource = {
    sessions: initial,
    commands,
    get state() {
      return state;
    },
    push(...events) {
      if (closed) return;
      queue.push(...events);
      wake?.();
    },
    setState(next, message = next) {
      state = next;
      source.push({ type: 'system.source', data: { state: next, message } });
    },
    async *events() {
      while (!closed) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (queue.length === 0) continue;
        const batch = queue;
        queue = [];
        yield batch;
      }
    },
    async snapshot(target: Target | undefined, lines: number) {
      if (state !== 'connected') throw new MonitorError('TMUX_UNAVAILABLE', 'source is not connected');
      const sessions = source.sessions
        .filter((s) => target?.session === undefined || s.name === target.session || s.id === target.session)
        .map((s) => ({
          ...s,
          windows: s.windows
            .filter(
              (w) =>
                target?.window === undefined ||
                String(w.index) === String(target.window) ||
                w.name === target.window ||
                w.id === target.window,
            )
            .map((w) => ({
              ...w,
              panes: w.panes
                .filter((p) => target?.pane === undefined || String(p.index) === String(target.pane) || p.id === target.pane)
                .map((p) => (lines > 0 ? { ...p, content: p.content ?? '' } : { ...p, content: undefined })),
            })),
        }));
      if (target?.session !== undefined && sessions.length === 0) throw new MonitorError('NOT_FOUND', `no session ${target.session}`);
      return sessions;
    },
    async command(request) {
      const known = source.sessions.some((s) => s.name === request.target.session || s.id === request.target.session);
      if (!known) throw new MonitorError('NOT_FOUND', `no session ${request.target.session}`);
      commands.push(request);
    },
    async close() {
      closed = true;
      wake?.();
    },
  };
  return source;
}

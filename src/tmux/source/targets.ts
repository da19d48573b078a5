/**
 * Resolving the contract's targets against the tree: a session by name or `$id`, a window
 * by index, name or `@id`, a pane by index or `%id`.
 */
import { MonitorError } from '../../protocol/errors.ts';
import type { Target } from '../../protocol/snapshot.ts';
import type { PaneInfo, SessionInfo, TmuxState, WindowInfo } from '../state/model.ts';

export function matchSession(s: SessionInfo, spec: string): boolean {
  return s.name === spec || s.id === spec;
}

export function matchWindow(w: WindowInfo, spec: string | number): boolean {
  if (typeof spec === 'number') return w.index === spec;
  if (/^\d+$/.test(spec)) return w.index === Number(spec);
  return w.id === spec || w.name === spec;
}

export function matchPane(p: PaneInfo, spec: string | number): boolean {
  if (typeof spec === 'number') return p.index === spec;
  if (/^\d+$/.test(spec)) return p.index === Number(spec);
  return p.id === spec;
}

/** The part of the tree a snapshot target names; NOT_FOUND when it names nothing. */
export function narrow(state: TmuxState, target: Target | undefined): SessionInfo[] {
  if (!target || (target.session === undefined && target.window === undefined && target.pane === undefined)) {
    return state.sessions;
  }
  let sessions = state.sessions;
  if (target.session !== undefined) {
    sessions = sessions.filter((s) => matchSession(s, target.session!));
    if (sessions.length === 0) throw new MonitorError('NOT_FOUND', `no tmux session ${target.session}`);
  }
  if (target.window !== undefined) {
    sessions = sessions
      .map((s) => ({ ...s, windows: s.windows.filter((w) => matchWindow(w, target.window!)) }))
      .filter((s) => s.windows.length > 0);
    if (sessions.length === 0) throw new MonitorError('NOT_FOUND', `no tmux window ${String(target.window)}`);
  }
  if (target.pane !== undefined) {
    sessions = sessions
      .map((s) => ({
        ...s,
        windows: s.windows
          .map((w) => ({ ...w, panes: w.panes.filter((p) => matchPane(p, target.pane!)) }))
          .filter((w) => w.panes.length > 0),
      }))
      .filter((s) => s.windows.length > 0);
    if (sessions.length === 0) throw new MonitorError('NOT_FOUND', `no tmux pane ${String(target.pane)}`);
  }
  return sessions;
}

/** The one pane a command target names (the window's active pane when no pane is given). */
export function resolvePane(
  state: TmuxState,
  target: { session: string; window: string | number; pane?: string | number },
): { session: SessionInfo; window: WindowInfo; pane: PaneInfo } {
  // A pane id names one pane wherever it is.
  if (typeof target.pane === 'string' && target.pane.startsWith('%')) {
    for (const session of state.sessions) {
      if (!matchSession(session, target.session)) continue;
      for (const window of session.windows) {
        const pane = window.panes.find((p) => p.id === target.pane);
        if (pane) return { session, window, pane };
      }
    }
    throw new MonitorError('NOT_FOUND', `no tmux pane ${target.pane} in session ${target.session}`);
  }
  const session = state.sessions.find((s) => matchSession(s, target.session));
  if (!session) throw new MonitorError('NOT_FOUND', `no tmux session ${target.session}`);
  const window = session.windows.find((w) => matchWindow(w, target.window));
  if (!window) throw new MonitorError('NOT_FOUND', `no tmux window ${String(target.window)} in session ${session.name}`);
  const pane =
    target.pane === undefined
      ? (window.panes.find((p) => p.active) ?? window.panes[0])
      : window.panes.find((p) => matchPane(p, target.pane!));
  if (!pane) throw new MonitorError('NOT_FOUND', `no tmux pane ${String(target.pane)} in ${session.name}:${window.index}`);
  return { session, window, pane };
}

/**
 * Targets resolved inside a token's scope. A target (session by name or `$id`, window by
 * index, name or `@id`, pane by index or `%id`) is looked up in the tree the token may
 * see — never checked on the string the client sent — so `{session: "$2"}` cannot reach
 * a session whose name is outside the scope, and something outside the scope answers
 * exactly as something that does not exist: the same NOT_FOUND, the same message, after
 * the same work (one read of the tree).
 */
import { canSeeSession, type Principal } from '../auth/principal.ts';
import { MonitorError } from '../protocol/errors.ts';
import type { PaneSnapshot, SessionSnapshot, Target, WindowSnapshot } from '../protocol/snapshot.ts';

export interface CommandTarget {
  /** Needed only when the session name is used on more than one host (a NATS bus). */
  host?: string;
  session: string;
  window: string | number;
  pane?: string | number;
}

/** The one pane a command target reached. */
export interface ReachedPane {
  session: SessionSnapshot;
  window: WindowSnapshot;
  pane: PaneSnapshot;
}

/** The sessions a principal may see: on its hosts, by name (and by id for `$` patterns). */
export function visibleSessions(principal: Principal, sessions: readonly SessionSnapshot[]): SessionSnapshot[] {
  return sessions.filter((s) => canSeeSession(principal, s.name, s.host, s.id));
}

export function hasTarget(target: Target | undefined): target is Target {
  return (
    target !== undefined &&
    (target.host !== undefined || target.session !== undefined || target.window !== undefined || target.pane !== undefined)
  );
}

/**
 * The sessions `spec` names (on `host` when given). A name used on several hosts with no
 * `host` is AMBIGUOUS_TARGET; none is NOT_FOUND.
 */
function sessionsNamed(sessions: readonly SessionSnapshot[], spec: string, host: string | undefined): SessionSnapshot[] {
  const found = sessions.filter((s) => (host === undefined || s.host === host) && matchesSession(s, spec));
  if (found.length === 0) throw notFound('session', spec);
  const hosts = [...new Set(found.map((s) => s.host ?? ''))];
  if (hosts.length > 1) {
    throw new MonitorError(
      'AMBIGUOUS_TARGET',
      `session ${JSON.stringify(spec)} exists on hosts ${hosts.join(', ')}: name one with "host"`,
      {
        hosts,
      },
    );
  }
  return found;
}

const isIndex = (spec: string | number): boolean => typeof spec === 'number' || /^\d+$/.test(spec);

export function matchesSession(s: SessionSnapshot, spec: string): boolean {
  return s.name === spec || s.id === spec;
}

export function matchesWindow(w: WindowSnapshot, spec: string | number): boolean {
  return isIndex(spec) ? w.index === Number(spec) : w.id === spec || w.name === spec;
}

export function matchesPane(p: PaneSnapshot, spec: string | number): boolean {
  return isIndex(spec) ? p.index === Number(spec) : p.id === spec;
}

/** The part of the (visible) tree a snapshot target names; NOT_FOUND when it names nothing there. */
export function narrowTree(sessions: readonly SessionSnapshot[], target: Target): SessionSnapshot[] {
  let found = [...sessions];
  if (target.host !== undefined) {
    found = found.filter((s) => s.host === target.host);
    if (found.length === 0) throw notFound('host', target.host);
  }
  if (target.session !== undefined) found = sessionsNamed(found, target.session, target.host);
  if (target.window !== undefined) {
    found = found
      .map((s) => ({ ...s, windows: s.windows.filter((w) => matchesWindow(w, target.window!)) }))
      .filter((s) => s.windows.length > 0);
    if (found.length === 0) throw notFound('window', target.window);
  }
  if (target.pane !== undefined) {
    found = found
      .map((s) => ({
        ...s,
        windows: s.windows
          .map((w) => ({ ...w, panes: w.panes.filter((p) => matchesPane(p, target.pane!)) }))
          .filter((w) => w.panes.length > 0),
      }))
      .filter((s) => s.windows.length > 0);
    if (found.length === 0) throw notFound('pane', target.pane);
  }
  return found;
}

/** The one pane a command target names in the (visible) tree: the window's active pane when none is given. */
export function resolvePane(sessions: readonly SessionSnapshot[], target: CommandTarget): ReachedPane {
  const session = sessionsNamed(sessions, target.session, target.host)[0]!;
  // A pane id names one pane wherever it is in the session; the window is then only a hint.
  if (typeof target.pane === 'string' && target.pane.startsWith('%')) {
    for (const window of session.windows) {
      const pane = window.panes.find((p) => p.id === target.pane);
      if (pane) return { session, window, pane };
    }
    throw notFound('pane', target.pane);
  }
  const window = session.windows.find((w) => matchesWindow(w, target.window));
  if (!window) throw notFound('window', target.window);
  const pane =
    target.pane === undefined
      ? (window.panes.find((p) => p.active) ?? window.panes[0])
      : window.panes.find((p) => matchesPane(p, target.pane!));
  if (!pane) throw notFound('pane', target.pane ?? '(active)');
  return { session, window, pane };
}

/** What an audit record says was reached. */
export function describeReached(reached: ReachedPane): Record<string, unknown> {
  return {
    session: reached.session.name,
    session_id: reached.session.id,
    window: reached.window.index,
    window_id: reached.window.id,
    pane: reached.pane.index,
    pane_id: reached.pane.id,
  };
}

// The message names only what the client asked for, so it reads the same whether the
// thing is absent or outside the token's scope.
function notFound(kind: 'host' | 'session' | 'window' | 'pane', spec: string | number): MonitorError {
  return new MonitorError('NOT_FOUND', `no tmux ${kind} ${JSON.stringify(spec)} matches the target`);
}

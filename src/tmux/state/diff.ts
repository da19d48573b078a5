/**
 * Structural events from two states of the tree. Diffing whole states (rather than
 * translating each notification) gives correct events whatever order tmux's notifications
 * come in, and whatever their `unlinked-` form says.
 */
import type { RawEvent } from '../../protocol/events.ts';
import type { PaneInfo, SessionInfo, TmuxState, WindowInfo } from './model.ts';
import { indexPanes } from './model.ts';

export function sessionLocation(s: SessionInfo): { session: string; session_id: string } {
  return { session: s.name, session_id: s.id };
}

export function windowLocation(s: SessionInfo, w: WindowInfo) {
  return { ...sessionLocation(s), window: w.index, window_id: w.id, window_name: w.name };
}

export function paneLocation(s: SessionInfo, w: WindowInfo, p: PaneInfo) {
  return { ...windowLocation(s, w), pane: p.index, pane_id: p.id };
}

export function diffStates(before: TmuxState, after: TmuxState): RawEvent[] {
  const removed: RawEvent[] = [];
  const created: RawEvent[] = [];
  const changed: RawEvent[] = [];

  const oldSessions = new Map(before.sessions.map((s) => [s.id, s]));
  const newSessions = new Map(after.sessions.map((s) => [s.id, s]));
  const oldPanes = indexPanes(before);
  const newPanes = indexPanes(after);

  // Panes are global (a window linked into two sessions has one set of panes).
  for (const [id, loc] of oldPanes) {
    if (newPanes.has(id)) continue;
    removed.push({
      type: 'pane.removed',
      ...paneLocation(loc.session, loc.window, loc.pane),
      data: { exit_status: loc.pane.dead ? loc.pane.deadStatus : null },
    });
  }

  for (const old of before.sessions) {
    const now = newSessions.get(old.id);
    const nowWindows = new Map((now?.windows ?? []).map((w) => [w.id, w]));
    for (const w of old.windows) {
      if (!nowWindows.has(w.id)) removed.push({ type: 'window.removed', ...windowLocation(now ?? old, w), data: {} });
    }
    if (!now) removed.push({ type: 'session.removed', ...sessionLocation(old), data: { session: old.name } });
  }

  for (const s of after.sessions) {
    const old = oldSessions.get(s.id);
    if (!old) {
      created.push({
        type: 'session.created',
        ...sessionLocation(s),
        data: { session: s.name, windows: s.windows.length, path: s.path },
      });
      if (s.attached > 0) changed.push({ type: 'session.attached', ...sessionLocation(s), data: { clients: s.attached } });
    } else {
      if (old.name !== s.name) {
        changed.push({ type: 'session.renamed', ...sessionLocation(s), data: { old_name: old.name, new_name: s.name } });
      }
      if (s.attached > old.attached) {
        changed.push({ type: 'session.attached', ...sessionLocation(s), data: { clients: s.attached } });
      } else if (s.attached < old.attached) {
        changed.push({ type: 'session.detached', ...sessionLocation(s), data: { clients: s.attached } });
      }
    }
    const oldWindows = new Map((old?.windows ?? []).map((w) => [w.id, w]));
    for (const w of s.windows) {
      const ow = oldWindows.get(w.id);
      if (!ow) {
        created.push({ type: 'window.created', ...windowLocation(s, w), data: { window_info: { name: w.name } } });
        // A window made current as it is created (new-window) in an existing session.
        if (old && w.active) changed.push({ type: 'window.activated', ...windowLocation(s, w), data: {} });
        continue;
      }
      if (ow.name !== w.name) {
        changed.push({ type: 'window.renamed', ...windowLocation(s, w), data: { old_name: ow.name, new_name: w.name } });
      }
      if (w.active && !ow.active) changed.push({ type: 'window.activated', ...windowLocation(s, w), data: {} });
    }
  }

  for (const [id, loc] of newPanes) {
    if (oldPanes.has(id)) continue;
    created.push({
      type: 'pane.created',
      ...paneLocation(loc.session, loc.window, loc.pane),
      data: { command: loc.pane.command, pid: loc.pane.pid },
    });
  }

  return [...removed, ...created, ...changed];
}

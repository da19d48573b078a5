/**
 * Keeps the pane content of one snapshot reply within a budget, so that a reply alone
 * never takes a connection's send buffer past its limit (docs/protocol.md, Snapshot).
 * Content is the *last* lines of a pane: what is cut is the oldest part, at a line
 * boundary, and the pane says `content_truncated: true`. The budget is shared fairly:
 * small panes keep all of theirs, the rest split what is left equally.
 */
import type { PaneSnapshot, SessionSnapshot } from '../protocol/snapshot.ts';

export function boundSnapshotContent(sessions: SessionSnapshot[], maxChars: number): SessionSnapshot[] {
  const panes: PaneSnapshot[] = [];
  let total = 0;
  for (const session of sessions) {
    for (const window of session.windows) {
      for (const pane of window.panes) {
        if (pane.content === undefined) continue;
        panes.push(pane);
        total += pane.content.length;
      }
    }
  }
  if (total <= maxChars) return sessions;
  const allowed = new Map<PaneSnapshot, number>();
  let left = maxChars;
  const bySize = [...panes].sort((a, b) => a.content!.length - b.content!.length);
  bySize.forEach((pane, i) => {
    const share = Math.floor(left / (bySize.length - i));
    const keep = Math.min(pane.content!.length, share);
    allowed.set(pane, keep);
    left -= keep;
  });
  return sessions.map((session) => ({
    ...session,
    windows: session.windows.map((window) => ({
      ...window,
      panes: window.panes.map((pane) => {
        const keep = allowed.get(pane);
        if (keep === undefined || keep >= pane.content!.length) return pane;
        return { ...pane, content: lastLines(pane.content!, keep), content_truncated: true };
      }),
    })),
  }));
}

/** The end of `text`, at most `max` characters, starting at a line when one starts in it. */
function lastLines(text: string, max: number): string {
  if (max <= 0) return '';
  const tail = text.slice(text.length - max);
  const newline = tail.indexOf('\n');
  return newline >= 0 && newline < tail.length - 1 ? tail.slice(newline + 1) : tail;
}

/** The contract's snapshot tree from the source's state. */
import type { PaneSnapshot, SessionSnapshot } from '../../protocol/snapshot.ts';
import type { AgentStatus } from '../../protocol/events.ts';
import type { SessionInfo } from '../state/model.ts';

export function toSnapshot(
  sessions: readonly SessionInfo[],
  agentOf: (paneId: string) => { status: AgentStatus; agent_type: string },
  contentOf?: (paneId: string) => string | undefined,
): SessionSnapshot[] {
  return sessions.map((s) => ({
    name: s.name,
    id: s.id,
    attached: s.attached,
    created: new Date(s.created * 1000).toISOString(),
    windows: s.windows.map((w) => ({
      index: w.index,
      id: w.id,
      name: w.name,
      active: w.active,
      panes: w.panes.map((p) => {
        const pane: PaneSnapshot = {
          index: p.index,
          id: p.id,
          pid: p.pid,
          command: p.command,
          title: p.title,
          path: p.path,
          dead: p.dead,
          active: p.active,
          agent: agentOf(p.id),
        };
        // v1.1: the pane's size, so a viewer can draw it at its own width.
        if (p.width) pane.width = p.width;
        if (p.height) pane.height = p.height;
        const content = contentOf?.(p.id);
        if (content !== undefined) pane.content = content;
        return pane;
      }),
    })),
  }));
}

/** The last `lines` lines of a capture, trailing blank lines (the unused screen) removed. */
export function lastLines(captured: readonly string[], lines: number): string {
  let end = captured.length;
  // eslint-disable-next-line no-control-regex
  const blank = (line: string) => line.replace(/\x1b\[[0-9;:]*m/g, '').trim() === '';
  while (end > 0 && blank(captured[end - 1]!)) end--;
  return captured
    .slice(Math.max(0, end - lines), end)
    .map((l) => l.trimEnd())
    .join('\n');
}

/** What the source knows about tmux: sessions → windows (per link) → panes. */

export interface PaneInfo {
  id: string; // %N
  index: number;
  pid: number;
  command: string;
  title: string;
  path: string;
  dead: boolean;
  deadStatus: number | null;
  active: boolean;
  /** The `@agent_state` pane option ('' when unset). */
  agentState: string;
  /** In the alternate screen (a full-screen program). */
  alternate: boolean;
  /** cursor_x, cursor_y */
  cursor: [number, number];
  /** Columns and rows (0 when unknown). */
  width?: number;
  height?: number;
}

export interface WindowInfo {
  id: string; // @N
  index: number;
  name: string;
  active: boolean;
  panes: PaneInfo[];
}

export interface SessionInfo {
  id: string; // $N
  name: string;
  /** Unix seconds. */
  created: number;
  path: string;
  /** Clients attached, not counting this source's own control clients. */
  attached: number;
  windows: WindowInfo[];
}

export interface TmuxState {
  sessions: SessionInfo[];
}

export const EMPTY_STATE: TmuxState = { sessions: [] };

/** Where a pane is, for event location fields (its first session if its window is linked twice). */
export interface PaneLocation {
  session: SessionInfo;
  window: WindowInfo;
  pane: PaneInfo;
}

export function indexPanes(state: TmuxState): Map<string, PaneLocation> {
  const out = new Map<string, PaneLocation>();
  for (const session of state.sessions) {
    for (const window of session.windows) {
      for (const pane of window.panes) if (!out.has(pane.id)) out.set(pane.id, { session, window, pane });
    }
  }
  return out;
}

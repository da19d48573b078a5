import type { AgentStatus, AttentionState } from './events.ts';

/** The state tree returned in `snapshot.data` (docs/protocol.md). */
export interface PaneSnapshot {
  index: number;
  id: string;
  pid: number;
  command: string;
  title: string;
  path: string;
  dead: boolean;
  active?: boolean;
  agent: { status: AgentStatus; agent_type: string };
  /** v1.1: the pane's size in columns and rows (tmux sources). */
  width?: number;
  height?: number;
  /** v1.1: what the pane needs a person for (null: nothing), and since when (ISO 8601). */
  attention?: AttentionState | null;
  attention_since?: string | null;
  /** The last `lines` lines of the pane, only when asked for and permitted. */
  content?: string;
  /** True when `content` was cut (oldest lines first) to keep the reply within its size bound. */
  content_truncated?: boolean;
}

export interface WindowSnapshot {
  index: number;
  id: string;
  name: string;
  active: boolean;
  panes: PaneSnapshot[];
}

export interface SessionSnapshot {
  /** The machine the session runs on. */
  host?: string;
  name: string;
  id: string;
  attached: number;
  /** ISO 8601 */
  created: string;
  windows: WindowSnapshot[];
}

export interface SnapshotData {
  seq: number;
  sessions: SessionSnapshot[];
}

export interface Target {
  /** Needed only when the session name is used on more than one host. */
  host?: string;
  session?: string;
  window?: string | number;
  pane?: string | number;
}

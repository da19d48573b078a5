import type { AgentStatus } from './events.ts';

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
  session?: string;
  window?: string | number;
  pane?: string | number;
}

import type { AgentStatus } from '../../protocol/events.ts';

/** A text pattern on the pane's screen and what it means. */
export interface ScreenPattern {
  re: RegExp;
  reason: string;
  /** Search only the last N non-empty lines (each status has a default). */
  last?: number;
  /** Text other programs show too ("Do you want to …?", a `>` prompt): never identifies the agent. */
  generic?: boolean;
}

/** Everything needed to recognise one agent CLI and read its status off the screen. */
export interface AgentProfile {
  type: string;
  /** `pane_current_command` values that are this agent. */
  commands: RegExp;
  /** Text only this agent shows (banner, footer, dialog wording): identifies it on screen. */
  signatures: RegExp[];
  waiting: ScreenPattern[];
  busy: ScreenPattern[];
  error: ScreenPattern[];
  ready: ScreenPattern[];
}

export interface Detection {
  status: AgentStatus;
  agent_type: string;
  reason: string;
}

/** How many trailing non-empty lines each status looks at, unless a pattern says otherwise. */
export const DEFAULT_SCOPE = { waiting: 15, busy: 8, error: 6, ready: 6 } as const;

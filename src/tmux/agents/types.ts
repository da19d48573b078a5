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
  /**
   * Child process names that are this agent when the pane shows a generic runtime
   * (`node`, `python3`): an npm shim running the agent's native binary.
   */
  children?: RegExp;
  /** Terminal titles (`#{pane_title}`, OSC 0/2) that only this agent sets. */
  titles?: RegExp;
  /** Titles that mean it is working (a spinner the agent animates in its title). */
  busyTitles?: ScreenPattern[];
  /** Titles that mean a person must act (a dialog the agent announces in its title). */
  waitingTitles?: ScreenPattern[];
  /** A full-screen program: it draws in the alternate screen. */
  fullScreen?: boolean;
  /** Text only this agent shows (banner, footer, dialog wording): identifies it on screen. */
  signatures: RegExp[];
  waiting: ScreenPattern[];
  busy: ScreenPattern[];
  error: ScreenPattern[];
  ready: ScreenPattern[];
  /**
   * Refines a status read off the screen with what only this agent's layout tells (e.g. an
   * error banner above a prompt that was sent again). Returns a new detection or null.
   */
  refine?: (d: Detection, view: ScreenView) => Detection | null;
}

/** The screen and the other facts, prepared once for matching. */
export interface ScreenView {
  /** The screen's non-empty lines, trailing blanks removed. */
  lines: string[];
  /** Every line of the screen (blank ones kept), for cursor positions. */
  rows: string[];
  title: string;
  alternate: boolean;
  cursor: [number, number] | null;
  children: string[];
  secondsSinceOutput: number | null;
}

export interface Detection {
  status: AgentStatus;
  agent_type: string;
  reason: string;
}

/** How many trailing non-empty lines each status looks at, unless a pattern says otherwise. */
export const DEFAULT_SCOPE = { waiting: 15, busy: 8, error: 6, ready: 6 } as const;

/**
 * What the control-mode parser yields: command replies (`%begin` … `%end`/`%error` blocks),
 * pane output and the notifications tmux 3.2+ sends (see tmux(1), "CONTROL MODE").
 */

/** A `%begin` … `%end`/`%error` block: the answer to one command line. */
export interface ControlReply {
  type: 'reply';
  time: number;
  number: number;
  /** 1 = the command came from this client; 0 = not ours (e.g. the initial attach block). */
  flags: number;
  ok: boolean;
  lines: string[];
}

/** `%output` / `%extended-output`: raw bytes (unescaped) and their UTF-8 text (streamed per pane). */
export interface ControlOutput {
  type: 'output';
  paneId: string;
  data: Uint8Array;
  text: string;
  /** `%extended-output` only: milliseconds the output was held by tmux. */
  age?: number;
}

export type ControlNotification =
  | { type: 'window-add'; windowId: string; unlinked: boolean }
  | { type: 'window-close'; windowId: string; unlinked: boolean }
  | { type: 'window-renamed'; windowId: string; name: string; unlinked: boolean }
  | { type: 'session-changed'; sessionId: string; name: string }
  | { type: 'session-renamed'; sessionId: string; name: string }
  | { type: 'sessions-changed' }
  | { type: 'session-window-changed'; sessionId: string; windowId: string }
  | { type: 'window-pane-changed'; windowId: string; paneId: string }
  | { type: 'layout-change'; windowId: string; layout: string; visibleLayout: string; flags: string }
  | { type: 'pane-mode-changed'; paneId: string }
  | { type: 'pause'; paneId: string }
  | { type: 'continue'; paneId: string }
  | {
      type: 'subscription-changed';
      name: string;
      sessionId: string;
      windowId: string;
      windowIndex: string;
      paneId: string;
      value: string;
    }
  | { type: 'client-detached'; client: string }
  | { type: 'client-session-changed'; client: string; sessionId: string; name: string }
  | { type: 'exit'; reason: string }
  | { type: 'message'; text: string }
  | { type: 'config-error'; text: string }
  | { type: 'unknown'; line: string };

export type ControlMessage = ControlReply | ControlOutput | ControlNotification;

/** What a notification says: one pane's attention, where it is, and what its screen shows. */
import type { AttentionState } from '../protocol/events.ts';

export interface Notice {
  /** `attention` null: a clearing notice (the pane no longer needs anyone). */
  attention: AttentionState | null;
  previous: AttentionState | null;
  /** ISO 8601: when the attention began (or cleared). */
  since: string;
  host?: string;
  session: string;
  window: number | null;
  window_name: string;
  pane: number | null;
  pane_id: string;
  agent_type: string;
  status: string;
  reason: string;
  /** The last few lines of the pane's screen (plain text). */
  screen: string;
  /** Where to open the pane in the dashboard (no token in it). */
  url: string | null;
  /** One line for people: "claude in main:1.0 is waiting (permission prompt)". */
  text: string;
}

export function where(n: Pick<Notice, 'host' | 'session' | 'window' | 'pane'>): string {
  const place = `${n.session}:${n.window ?? '?'}.${n.pane ?? '?'}`;
  return n.host ? `${n.host}/${place}` : place;
}

export function headline(n: Omit<Notice, 'text'>): string {
  const agent = n.agent_type === 'unknown' || n.agent_type === '' ? 'agent' : n.agent_type;
  if (n.attention === null) return `${agent} in ${where(n)} no longer needs you`;
  const what = { waiting: 'is waiting for you', error: 'stopped on an error', done: 'is done' }[n.attention];
  return `${agent} in ${where(n)} ${what}${n.reason ? ` (${n.reason})` : ''}`;
}

/** A sample notice for `notify-test`. */
export function sampleNotice(url: string | null): Notice {
  const notice: Omit<Notice, 'text'> = {
    attention: 'waiting',
    previous: null,
    since: new Date().toISOString(),
    session: 'example',
    window: 1,
    window_name: 'agent',
    pane: 0,
    pane_id: '%0',
    agent_type: 'claude',
    status: 'waiting',
    reason: 'permission prompt (test notification from tmux-monitor notify-test)',
    screen:
      "Do you want to make this edit to parser.ts?\n❯ 1. Yes\n  2. Yes, and don't ask again this session\n  3. No, and tell Claude what to do differently (esc)",
    url,
  };
  return { ...notice, text: headline(notice) };
}

/**
 * The tmux format strings that read the whole tree in one command, and their parsers.
 * Fields are separated by 0x1f (unit separator), which no name or title contains in
 * practice; free-text fields come last where possible.
 */
import type { PaneInfo, SessionInfo, TmuxState, WindowInfo } from './model.ts';

export const SEP = '\x1f';

const PANE_FIELDS = [
  'session_id',
  'session_name',
  'session_created',
  'session_path',
  'window_id',
  'window_index',
  'window_active',
  'window_name',
  'pane_id',
  'pane_index',
  'pane_pid',
  'pane_dead',
  'pane_dead_status',
  'pane_active',
  'pane_current_command',
  'pane_current_path',
  '@agent_state',
  'alternate_on',
  'cursor_x',
  'cursor_y',
  'pane_width',
  'pane_height',
  'pane_title',
] as const;

/** `list-panes -a -F PANE_FORMAT`: one line per pane per session link. */
export const PANE_FORMAT = PANE_FIELDS.map((f) => `#{${f}}`).join(SEP);

/** `list-clients -F CLIENT_FORMAT`. */
export const CLIENT_FORMAT = ['#{client_pid}', '#{session_id}', '#{client_control_mode}', '#{client_flags}'].join(SEP);

/** `list-sessions -F SESSION_FORMAT`: to see sessions even if one has no panes listed. */
export const SESSION_FORMAT = ['#{session_id}', '#{session_name}', '#{session_created}', '#{session_path}'].join(SEP);

/**
 * One pane's facts for agent detection (`display-message -p -t PANE FACTS_FORMAT`): what
 * the tree query has, fresh, plus nothing that needs another round trip.
 */
export const FACTS_FIELDS = [
  'pane_pid',
  'pane_current_command',
  'pane_dead',
  'pane_dead_status',
  '@agent_state',
  'alternate_on',
  'cursor_x',
  'cursor_y',
  'remain-on-exit',
  'pane_title',
] as const;
export const FACTS_FORMAT = FACTS_FIELDS.map((f) => `#{${f}}`).join(SEP);

export interface PaneFactsLine {
  pid: number;
  command: string;
  dead: boolean;
  deadStatus: number | null;
  agentState: string;
  alternate: boolean;
  cursor: [number, number];
  /** The pane keeps its screen when its program ends (`remain-on-exit` on or `failed`). */
  remainOnExit: boolean;
  title: string;
}

export function parseFactsLine(line: string): PaneFactsLine {
  const f = line.split(SEP);
  const get = (name: (typeof FACTS_FIELDS)[number]): string => f[FACTS_FIELDS.indexOf(name)] ?? '';
  return {
    pid: num(get('pane_pid')),
    command: get('pane_current_command'),
    dead: get('pane_dead') === '1',
    deadStatus: get('pane_dead_status') === '' ? null : num(get('pane_dead_status')),
    agentState: get('@agent_state'),
    alternate: get('alternate_on') === '1',
    cursor: [num(get('cursor_x')), num(get('cursor_y'))],
    remainOnExit: get('remain-on-exit') !== '' && get('remain-on-exit') !== 'off',
    title: f.slice(FACTS_FIELDS.indexOf('pane_title')).join(SEP),
  };
}

function num(s: string | undefined, fallback = 0): number {
  const n = Number(s);
  return s === undefined || s === '' || !Number.isFinite(n) ? fallback : n;
}

export interface ClientInfo {
  pid: number;
  sessionId: string;
  control: boolean;
  /** A control client that ignores size: a monitor (this one or another), not a person. */
  monitor: boolean;
}

export function parseClients(lines: readonly string[]): ClientInfo[] {
  return lines
    .filter((l) => l !== '')
    .map((l) => {
      const [pid, sessionId = '', control, flags = ''] = l.split(SEP);
      const flagSet = new Set(flags.split(','));
      return {
        pid: num(pid),
        sessionId,
        control: control === '1',
        monitor: control === '1' && flagSet.has('ignore-size'),
      };
    });
}

/**
 * Build the tree from `list-panes -a` lines (and `list-sessions` lines, so that session
 * order and names are kept), counting attached clients except `ownPids` and monitors.
 */
export function parseState(
  paneLines: readonly string[],
  sessionLines: readonly string[],
  clients: readonly ClientInfo[],
  ownPids: ReadonlySet<number>,
): TmuxState {
  const sessions = new Map<string, SessionInfo>();
  const windows = new Map<string, WindowInfo>(); // key: session id + window id
  for (const line of sessionLines) {
    if (line === '') continue;
    const [id = '', name = '', created, path = ''] = line.split(SEP);
    sessions.set(id, { id, name, created: num(created), path, attached: 0, windows: [] });
  }
  for (const line of paneLines) {
    if (line === '') continue;
    const f = line.split(SEP);
    const get = (name: (typeof PANE_FIELDS)[number]): string => f[PANE_FIELDS.indexOf(name)] ?? '';
    // The title is last and could (rarely) contain the separator: keep the rest whole.
    const title = f.slice(PANE_FIELDS.indexOf('pane_title')).join(SEP);
    const sessionId = get('session_id');
    let session = sessions.get(sessionId);
    if (!session) {
      session = {
        id: sessionId,
        name: get('session_name'),
        created: num(get('session_created')),
        path: get('session_path'),
        attached: 0,
        windows: [],
      };
      sessions.set(sessionId, session);
    }
    const windowKey = sessionId + get('window_id');
    let window = windows.get(windowKey);
    if (!window) {
      window = {
        id: get('window_id'),
        index: num(get('window_index')),
        name: get('window_name'),
        active: get('window_active') === '1',
        panes: [],
      };
      windows.set(windowKey, window);
      session.windows.push(window);
    }
    const pane: PaneInfo = {
      id: get('pane_id'),
      index: num(get('pane_index')),
      pid: num(get('pane_pid')),
      command: get('pane_current_command'),
      title,
      path: get('pane_current_path'),
      dead: get('pane_dead') === '1',
      deadStatus: get('pane_dead_status') === '' ? null : num(get('pane_dead_status')),
      active: get('pane_active') === '1',
      agentState: get('@agent_state'),
      alternate: get('alternate_on') === '1',
      cursor: [num(get('cursor_x')), num(get('cursor_y'))],
      width: num(get('pane_width')),
      height: num(get('pane_height')),
    };
    window.panes.push(pane);
  }
  for (const c of clients) {
    // Our own control clients, and other monitors' (control mode + ignore-size), are no
    // one's screen: they do not count as attached.
    if (ownPids.has(c.pid) || c.monitor) continue;
    const s = sessions.get(c.sessionId);
    if (s) s.attached++;
  }
  for (const s of sessions.values()) {
    s.windows.sort((a, b) => a.index - b.index);
    for (const w of s.windows) w.panes.sort((a, b) => a.index - b.index);
  }
  // Sessions that list-sessions knew but that had no pane line (racing a kill) are dropped.
  return { sessions: [...sessions.values()].filter((s) => s.windows.length > 0) };
}

/**
 * The dashboard's picture of tmux: sessions → windows → panes, each pane with its agent's
 * status and since when it has had it.
 *
 * The tree comes from snapshots (re-read after any structural event); statuses come from
 * `agent.status` events as they happen. A snapshot and the events cross on the wire, so
 * each status remembers the `seq` it came with, and a snapshot older than that status
 * does not overwrite it.
 */
import type { AgentStatus, MonitorEvent, SnapshotData } from '../../client/index.ts';

export interface PaneItem {
  /** What the page knows the pane by: `host/%id` (see paneKey). */
  key: string;
  id: string;
  /** The machine (protocol v1.1); '' from a server without hosts. Pane ids are unique per host only. */
  host: string;
  index: number;
  session: string;
  windowIndex: number;
  windowName: string;
  command: string;
  title: string;
  path: string;
  dead: boolean;
  active: boolean;
  status: AgentStatus;
  agentType: string;
  /** When the pane entered its status (ms since the epoch). */
  since: number;
  /** False when the status was already there when the page first saw it: `since` is a lower bound. */
  sinceExact: boolean;
  /** v1.1: what the pane needs a person for (null: nothing), and since when (ms). */
  attention: AttentionState | null;
  attentionSince: number;
  /** The pane's own size (0 when the server does not say). */
  width: number;
  height: number;
}

export type AttentionState = 'waiting' | 'error' | 'done';

interface AttentionRecord {
  attention: AttentionState | null;
  since: number;
  seq: number;
}

export interface WindowItem {
  id: string;
  index: number;
  name: string;
  active: boolean;
  panes: PaneItem[];
}

export interface SessionItem {
  id: string;
  host: string;
  name: string;
  attached: number;
  windows: WindowItem[];
}

interface StatusRecord {
  status: AgentStatus;
  agentType: string;
  since: number;
  exact: boolean;
  seq: number;
}

/** Agent types that are not an AI agent: a pane with one of these is "just a shell". */
const NOT_AGENTS = new Set(['shell', 'unknown', '']);

export function isAgent(pane: Pick<PaneItem, 'agentType'>): boolean {
  return !NOT_AGENTS.has(pane.agentType);
}

/** Statuses that need a person: they stand out, and `waiting` counts in the page title. */
export function needsAttention(pane: Pick<PaneItem, 'status'>): boolean {
  return pane.status === 'waiting' || pane.status === 'error';
}

export type StatusCounts = Record<AgentStatus, number>;

export class DashboardStore {
  sessions: SessionItem[] = [];
  #status = new Map<string, StatusRecord>();
  #attention = new Map<string, AttentionRecord>();
  #loaded = false;

  /** True once the first snapshot is in. */
  get loaded(): boolean {
    return this.#loaded;
  }

  applySnapshot(data: SnapshotData, now = Date.now()): void {
    const seen = new Set<string>();
    this.sessions = data.sessions.map((s) => ({
      id: s.id,
      host: s.host ?? '',
      name: s.name,
      attached: s.attached,
      windows: s.windows.map((w) => ({
        id: w.id,
        index: w.index,
        name: w.name,
        active: w.active,
        panes: w.panes.map((p) => {
          const key = statusKey(s.host, p.id);
          seen.add(key);
          const record = this.#reconcile(key, p.agent.status, p.agent.agent_type, data.seq, now);
          const attention = this.#reconcileAttention(key, p.attention ?? null, p.attention_since ?? null, data.seq, now);
          return {
            key: paneKey(s.host, p.id),
            attention: attention.attention,
            attentionSince: attention.since,
            width: p.width ?? 0,
            height: p.height ?? 0,
            id: p.id,
            host: s.host ?? '',
            index: p.index,
            session: s.name,
            windowIndex: w.index,
            windowName: w.name,
            command: p.command,
            title: p.title,
            path: p.path,
            dead: p.dead,
            active: p.active ?? false,
            status: record.status,
            agentType: record.agentType,
            since: record.since,
            sinceExact: record.exact,
          };
        }),
      })),
    }));
    for (const id of this.#status.keys()) if (!seen.has(id)) this.#status.delete(id);
    for (const id of this.#attention.keys()) if (!seen.has(id)) this.#attention.delete(id);
    this.#loaded = true;
  }

  /** The status to show for a pane in a snapshot taken at `seq`. */
  #reconcile(id: string, status: AgentStatus, agentType: string, seq: number, now: number): StatusRecord {
    const known = this.#status.get(id);
    if (known && known.seq > seq) return known; // an event newer than the snapshot
    if (known && known.status === status) {
      known.agentType = agentType;
      known.seq = seq;
      return known;
    }
    // New to us: on the first load it has been in this status for an unknown time; later,
    // the pane (or a change we had no event for) is new, so now is about right.
    const record: StatusRecord = { status, agentType, since: now, exact: this.#loaded, seq };
    this.#status.set(id, record);
    return record;
  }

  #reconcileAttention(id: string, attention: AttentionState | null, since: string | null, seq: number, now: number): AttentionRecord {
    const known = this.#attention.get(id);
    if (known && known.seq > seq) return known;
    const at = since === null ? NaN : Date.parse(since);
    const record = { attention, since: Number.isNaN(at) ? now : Math.min(at, now), seq };
    this.#attention.set(id, record);
    return record;
  }

  /** An `agent.attention` event (v1.1). Returns the pane it changed, if the tree has it yet. */
  applyAttention(event: MonitorEvent<'agent.attention'>, now = Date.now()): PaneItem | undefined {
    if (!event.pane_id) return undefined;
    const at = Date.parse(event.data.since);
    const record = { attention: event.data.attention, since: Number.isNaN(at) ? now : Math.min(at, now), seq: event.seq };
    this.#attention.set(statusKey(event.host, event.pane_id), record);
    const pane = this.pane(event.pane_id, event.host);
    if (pane) Object.assign(pane, { attention: record.attention, attentionSince: record.since });
    return pane;
  }

  /** Panes that need a person, oldest first: the "needs you" list. */
  needsYou(): PaneItem[] {
    return [...this.panes()].filter((p) => p.attention !== null).sort((a, b) => a.attentionSince - b.attentionSince);
  }

  /** An `agent.status` event. Returns the pane it changed, if the tree has it yet. */
  applyStatus(event: MonitorEvent<'agent.status'>, now = Date.now()): PaneItem | undefined {
    if (!event.pane_id) return undefined;
    const at = Date.parse(event.timestamp);
    const record: StatusRecord = {
      status: event.data.status,
      agentType: event.data.agent_type,
      // The server's clock says when; never in the future by ours.
      since: Number.isNaN(at) ? now : Math.min(at, now),
      exact: true,
      seq: event.seq,
    };
    this.#status.set(statusKey(event.host, event.pane_id), record);
    const pane = this.pane(event.pane_id, event.host);
    if (pane) Object.assign(pane, { status: record.status, agentType: record.agentType, since: record.since, sinceExact: true });
    return pane;
  }

  /** Removes what an event says is gone at once, before the next snapshot confirms it. */
  applyRemoval(event: MonitorEvent): boolean {
    if (event.type === 'session.removed') {
      const before = this.sessions.length;
      this.sessions = this.sessions.filter(
        (s) => !sameHost(s.host, event.host) || (s.name !== event.data.session && s.id !== event.session_id),
      );
      return this.sessions.length !== before;
    }
    if (event.type === 'window.removed') {
      const session = this.sessions.find((s) => s.name === event.session && sameHost(s.host, event.host));
      if (!session) return false;
      const before = session.windows.length;
      session.windows = session.windows.filter((w) => (event.window_id ? w.id !== event.window_id : w.index !== event.window));
      return session.windows.length !== before;
    }
    if (event.type === 'pane.removed' && event.pane_id) {
      let changed = false;
      for (const s of this.sessions) {
        for (const w of s.windows) {
          const before = w.panes.length;
          w.panes = w.panes.filter((p) => p.id !== event.pane_id || !sameHost(p.host, event.host));
          changed ||= w.panes.length !== before;
        }
      }
      return changed;
    }
    return false;
  }

  /** A pane by tmux id (and host, when several hosts share the page). */
  pane(id: string, host?: string): PaneItem | undefined {
    for (const p of this.panes()) if (p.id === id && sameHost(p.host, host)) return p;
    return undefined;
  }

  /** A pane by its key (paneKey); a bare tmux id (an older link or stored selection) finds it on any host. */
  byKey(key: string): PaneItem | undefined {
    for (const p of this.panes()) if (p.key === key) return p;
    return key.includes('/') ? undefined : this.pane(key);
  }

  /** The hosts in the tree, in order of first appearance. */
  hosts(): string[] {
    return [...new Set(this.sessions.map((s) => s.host))];
  }

  *panes(): Generator<PaneItem> {
    for (const s of this.sessions) for (const w of s.windows) yield* w.panes;
  }

  /** Panes per status, counting AI agents, and any pane that waits or failed. */
  counts(): StatusCounts {
    const counts: StatusCounts = { ready: 0, busy: 0, waiting: 0, error: 0, exited: 0, unknown: 0 };
    for (const p of this.panes()) if (isAgent(p) || needsAttention(p)) counts[p.status]++;
    return counts;
  }

  /** The pane to show first: one that needs a person, else an agent, else any. */
  firstInterestingPane(): PaneItem | undefined {
    const all = [...this.panes()];
    return all.find((p) => p.status === 'waiting') ?? all.find(needsAttention) ?? all.find(isAgent) ?? all[0];
  }
}

/**
 * One pane across hosts: tmux pane ids are unique per server only, and two machines both
 * have a `%0`. (Host names hold no `/`; a server without hosts gives the bare id.)
 */
export function paneKey(host: string | undefined, paneId: string): string {
  return host ? `${host}/${paneId}` : paneId;
}

function statusKey(host: string | undefined, paneId: string): string {
  return `${host ?? ''}\u0000${paneId}`;
}

/** An event or lookup without a host matches any (servers before v1.1 send none). */
function sameHost(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === '' || b === '' || a === b;
}

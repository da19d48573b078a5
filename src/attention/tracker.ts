/**
 * Attention per pane: which agents need a person. Decided from `agent.status` events only,
 * so it works the same for every source (tmux, polling, stdin, a NATS bus):
 *
 * - `waiting`: the agent asks a question (permission prompt, a choice).
 * - `error`: the agent stopped on an error.
 * - `done`: the agent was busy for at least `doneAfterMs`, then went back to ready.
 *
 * Attention clears when the status moves on, when someone acknowledges it (`ack`), when a
 * person looks at the pane in tmux, or when the pane goes away. A pane a person is looking
 * at when it would need attention gets none: they can see it.
 *
 * The tracker only keeps state and says what changed; src/attention/service.ts publishes.
 */
import type { AgentStatus, AttentionState, EventLocation, MonitorEvent, RawEvent } from '../protocol/events.ts';
import type { SessionSnapshot } from '../protocol/snapshot.ts';

export type { AttentionState } from '../protocol/events.ts';
export const ATTENTION_STATES: readonly AttentionState[] = ['waiting', 'error', 'done'];

/** Why attention changed (for notifications and logs; not on the wire). */
export type AttentionCause = 'status' | 'ack' | 'viewed' | 'removed' | 'seed';

export type PaneLocationFields = EventLocation & { host?: string };

export interface PaneRecord {
  readonly key: string;
  location: PaneLocationFields;
  agentType: string;
  status: AgentStatus;
  reason: string;
  attention: AttentionState | null;
  /** When the current attention (or its absence) began, ms since the epoch. */
  since: number;
  /** When the current run of busy began (kept through `waiting`), or null. */
  busySince: number | null;
}

export interface AttentionChange {
  readonly pane: Readonly<PaneRecord>;
  readonly attention: AttentionState | null;
  readonly previous: AttentionState | null;
  readonly since: number;
  readonly cause: AttentionCause;
  /** Seeded from the first snapshot: listeners act on it, but it is not published as an event. */
  readonly silent: boolean;
}

export interface AttentionTrackerOptions {
  /** Busy at least this long, then ready, is `done` (default 30 s). */
  doneAfterMs?: number;
  now?: () => number;
}

export const DEFAULT_DONE_AFTER_MS = 30_000;

export function paneKey(host: string | undefined, paneId: string): string {
  return `${host ?? ''}\u0000${paneId}`;
}

const hostOf = (event: object): string | undefined => {
  const host = (event as { host?: unknown }).host;
  return typeof host === 'string' ? host : undefined;
};

export class AttentionTracker {
  private readonly panes = new Map<string, PaneRecord>();
  private viewed = new Set<string>();
  private readonly doneAfterMs: number;
  private readonly now: () => number;

  constructor(options: AttentionTrackerOptions = {}) {
    this.doneAfterMs = options.doneAfterMs ?? DEFAULT_DONE_AFTER_MS;
    this.now = options.now ?? Date.now;
  }

  get(key: string): Readonly<PaneRecord> | undefined {
    return this.panes.get(key);
  }

  /** Every pane the tracker knows (its agent status and attention). */
  all(): Iterable<Readonly<PaneRecord>> {
    return this.panes.values();
  }

  /** Panes that need a person, oldest first. */
  pending(): Readonly<PaneRecord>[] {
    return [...this.panes.values()].filter((p) => p.attention !== null).sort((a, b) => a.since - b.since);
  }

  /** Follow a batch of events; returns the attention changes they cause. */
  observe(events: readonly (MonitorEvent | RawEvent)[]): AttentionChange[] {
    const changes: AttentionChange[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'agent.status': {
          if (event.pane_id === undefined) break;
          const key = paneKey(hostOf(event), event.pane_id);
          const record = this.record(key, event);
          this.relocate(record, event);
          this.status(record, event.data.status, event.data.agent_type, event.data.reason, changes);
          break;
        }
        case 'pane.removed': {
          if (event.pane_id === undefined) break;
          const key = paneKey(hostOf(event), event.pane_id);
          const record = this.panes.get(key);
          if (!record) break;
          this.panes.delete(key);
          this.set(record, null, 'removed', changes);
          break;
        }
        case 'session.renamed':
          for (const r of this.panes.values()) {
            if (r.location.host !== hostOf(event)) continue;
            if (
              r.location.session_id !== undefined ? r.location.session_id === event.session_id : r.location.session === event.data.old_name
            ) {
              r.location.session = event.data.new_name;
            }
          }
          break;
        case 'window.renamed':
          for (const r of this.panes.values()) {
            if (r.location.host === hostOf(event) && r.location.window_id !== undefined && r.location.window_id === event.window_id) {
              r.location.window_name = event.data.new_name;
            }
          }
          break;
        case 'pane.created':
          // Keep locations current (a pane id reused by tmux after a restart). Output, the
          // hot path, is left alone: its location only changes with a structural event.
          if (event.pane_id !== undefined) {
            const record = this.panes.get(paneKey(hostOf(event), event.pane_id));
            if (record) this.relocate(record, event);
          }
          break;
        default:
          break;
      }
    }
    return changes;
  }

  /**
   * The state found at start: panes not yet known take their status from the snapshot,
   * and those already waiting or in error need a person (announced silently).
   */
  seed(sessions: readonly SessionSnapshot[], host?: string): AttentionChange[] {
    const changes: AttentionChange[] = [];
    for (const s of sessions) {
      for (const w of s.windows) {
        for (const p of w.panes) {
          const key = paneKey(host ?? (s as { host?: string }).host, p.id);
          if (this.panes.has(key)) continue;
          const location: PaneLocationFields = {
            session: s.name,
            session_id: s.id,
            window: w.index,
            window_id: w.id,
            window_name: w.name,
            pane: p.index,
            pane_id: p.id,
          };
          if (host !== undefined) location.host = host;
          const record = this.record(key, location);
          record.agentType = p.agent.agent_type;
          record.status = p.agent.status;
          if (p.agent.status === 'busy') record.busySince = this.now();
          const next = p.agent.status === 'waiting' || p.agent.status === 'error' ? p.agent.status : null;
          if (next && !this.isViewed(record)) this.set(record, next, 'seed', changes, true);
        }
      }
    }
    return changes;
  }

  /** The panes people are looking at in tmux now (pane ids; `host` when known). */
  setViewed(paneIds: ReadonlySet<string>, host?: string): AttentionChange[] {
    this.viewed = new Set([...paneIds].map((id) => paneKey(host, id)));
    const changes: AttentionChange[] = [];
    for (const record of this.panes.values()) {
      if (record.attention !== null && this.isViewed(record)) this.set(record, null, 'viewed', changes);
    }
    return changes;
  }

  /** Acknowledge these panes (by key): their attention clears. */
  ack(keys: Iterable<string>): AttentionChange[] {
    const changes: AttentionChange[] = [];
    for (const key of keys) {
      const record = this.panes.get(key);
      if (record && record.attention !== null) this.set(record, null, 'ack', changes);
    }
    return changes;
  }

  /** Known panes matching a target (session/window by name, index or id; no pane: the whole window). */
  match(target: { host?: string; session: string; window: string | number; pane?: string | number }): PaneRecord[] {
    const out: PaneRecord[] = [];
    for (const r of this.panes.values()) {
      const l = r.location;
      if (target.host !== undefined && l.host !== target.host) continue;
      if (l.session !== target.session && l.session_id !== target.session) continue;
      if (!matchWindow(l, target.window)) continue;
      if (target.pane !== undefined && !matchPane(l, target.pane)) continue;
      out.push(r);
    }
    return out;
  }

  private isViewed(record: PaneRecord): boolean {
    const id = record.location.pane_id ?? '';
    return this.viewed.has(record.key) || (record.location.host !== undefined && this.viewed.has(paneKey(undefined, id)));
  }

  private record(key: string, location: PaneLocationFields): PaneRecord {
    let record = this.panes.get(key);
    if (!record) {
      record = {
        key,
        location: {},
        agentType: 'unknown',
        status: 'unknown',
        reason: '',
        attention: null,
        since: this.now(),
        busySince: null,
      };
      this.relocate(record, location);
      this.panes.set(key, record);
    }
    return record;
  }

  private relocate(record: PaneRecord, from: PaneLocationFields): void {
    const l: PaneLocationFields = {};
    for (const field of ['host', 'session', 'session_id', 'window', 'window_id', 'window_name', 'pane', 'pane_id'] as const) {
      const value = from[field] ?? record.location[field];
      if (value !== undefined) (l as Record<string, unknown>)[field] = value;
    }
    record.location = l;
  }

  private status(record: PaneRecord, status: AgentStatus, agentType: string, reason: string, changes: AttentionChange[]): void {
    const before = record.status;
    const now = this.now();
    record.status = status;
    record.agentType = agentType;
    record.reason = reason;
    let next: AttentionState | null = null;
    if (status === 'waiting' || status === 'error') next = status;
    else if (status === 'ready' && before !== 'ready' && record.busySince !== null && now - record.busySince >= this.doneAfterMs)
      next = 'done';
    // A task runs from the first `busy` through any `waiting` until the agent settles.
    if (status === 'busy') record.busySince ??= now;
    else if (status !== 'waiting') record.busySince = null;
    if (next !== null && this.isViewed(record)) next = null;
    if (next === record.attention) return;
    this.set(record, next, 'status', changes);
  }

  private set(record: PaneRecord, next: AttentionState | null, cause: AttentionCause, changes: AttentionChange[], silent = false): void {
    const previous = record.attention;
    if (previous === null && next === null) return;
    record.attention = next;
    record.since = this.now();
    changes.push({ pane: record, attention: next, previous, since: record.since, cause, silent });
  }
}

function matchWindow(l: PaneLocationFields, spec: string | number): boolean {
  if (typeof spec === 'number' || /^\d+$/.test(spec)) return l.window === Number(spec);
  return l.window_id === spec || l.window_name === spec;
}

function matchPane(l: PaneLocationFields, spec: string | number): boolean {
  if (typeof spec === 'number' || /^\d+$/.test(spec)) return l.pane === Number(spec);
  return l.pane_id === spec;
}

/** The wire event for a change. */
export function attentionEvent(change: AttentionChange): RawEvent<'agent.attention'> {
  return {
    type: 'agent.attention',
    ...change.pane.location,
    data: {
      attention: change.attention,
      since: new Date(change.since).toISOString(),
      previous: change.previous,
    },
  } as RawEvent<'agent.attention'>;
}

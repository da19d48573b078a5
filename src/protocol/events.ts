/**
 * Event types and their payloads, as listed in the wire protocol (docs/protocol.md).
 * The server, the tmux source and the clients all build on these definitions, so a
 * change here is a type error everywhere it matters.
 */

export const AGENT_STATUSES = ['ready', 'busy', 'waiting', 'error', 'exited', 'unknown'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** v1.1 attention: what a pane needs a person for. */
export type AttentionState = 'waiting' | 'error' | 'done';

export type Severity = 'info' | 'warning' | 'error';
export type SourceState = 'connected' | 'disconnected' | 'error';

/** The `data` payload of each event type. */
export interface EventDataMap {
  'session.created': { session: string; windows: number; path: string };
  'session.removed': { session: string };
  'session.renamed': { old_name: string; new_name: string };
  'session.attached': { clients: number };
  'session.detached': { clients: number };
  'window.created': { window_info: { name: string } };
  'window.removed': Record<string, never>;
  'window.renamed': { old_name: string; new_name: string };
  'window.activated': Record<string, never>;
  'pane.created': { command: string; pid: number };
  'pane.removed': { exit_status: number | null };
  'pane.output': { content: string; preview: string; severity: Severity; bytes: number };
  'pane.error': { preview: string; line: string };
  'pane.warning': { preview: string; line: string };
  'agent.status': { status: AgentStatus; previous: AgentStatus; agent_type: string; reason: string };
  'system.source': { state: SourceState; message: string; dropped?: number };
  /** v1.1: a pane needs a person (or no longer does: `attention` null). */
  'agent.attention': { attention: AttentionState | null; since: string; previous: AttentionState | null };
  'system.lagged': { dropped: number };
  'system.host': { host: string; state: HostState };
}

/** A host's agent is heartbeating (`connected`) or has gone quiet (`lost`). */
export type HostState = 'connected' | 'lost';

export type EventType = keyof EventDataMap;

export const EVENT_TYPES = [
  'session.created',
  'session.removed',
  'session.renamed',
  'session.attached',
  'session.detached',
  'window.created',
  'window.removed',
  'window.renamed',
  'window.activated',
  'pane.created',
  'pane.removed',
  'pane.output',
  'pane.error',
  'pane.warning',
  'agent.status',
  'system.source',
  'system.lagged',
  'system.host',
  'agent.attention',
] as const satisfies readonly EventType[];

/** Event types that carry pane output text: they need the `output` permission. */
export const OUTPUT_EVENT_TYPES: ReadonlySet<string> = new Set(['pane.output', 'pane.error', 'pane.warning']);

/**
 * Where an event happened. `session`, `window` (index), `pane` (index) and `pane_id` are
 * the contract's fields; `session_id`, `window_id` and `window_name` are extras that let
 * filters match sessions and windows by id or name as the contract allows.
 */
export interface EventLocation {
  /** The machine the event happened on: its name, or the `--host` of the agent that published it. */
  host?: string;
  session?: string;
  session_id?: string;
  window?: number;
  window_id?: string;
  window_name?: string;
  pane?: number;
  pane_id?: string;
}

/** What a source emits: an event before the hub gives it a sequence number. */
export type RawEvent<T extends EventType = EventType> = T extends EventType ? EventLocation & { type: T; data: EventDataMap[T] } : never;

/** An event as it goes on the wire: stamped with `seq` and `timestamp`. */
export type MonitorEvent<T extends EventType = EventType> = T extends EventType ? RawEvent<T> & { seq: number; timestamp: string } : never;

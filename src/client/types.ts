/**
 * Public types of the client. Event shapes come from src/protocol/ (type-only imports, so
 * the client pulls in no server code): a change to the protocol is a type error here.
 */
import type { EventType, MonitorEvent } from '../protocol/events.ts';
import type { Permission, Role } from '../protocol/messages.ts';
import type { Filters } from '../protocol/schemas.ts';
import type { SnapshotData } from '../protocol/snapshot.ts';
import type { BackoffOptions } from './backoff.ts';
import type { TmuxMonitorError } from './errors.ts';
import type { WebSocketConstructor } from './websocket.ts';

type FamilyOf<T> = T extends `${infer F}.${string}` ? F : never;
/** `session`, `window`, `pane`, `agent`, `system`. */
export type EventFamily = FamilyOf<EventType>;
/** An event type, a family (`pane.*`) or `*` — as in subscription filters and `on()`. */
export type EventPattern = EventType | `${EventFamily}.*` | '*';

/** The events a pattern matches, as a discriminated union on `type`. */
export type EventsMatching<P extends EventPattern> = P extends '*'
  ? MonitorEvent
  : P extends `${infer F}.*`
    ? MonitorEvent<Extract<EventType, `${F}.${string}`>>
    : P extends EventType
      ? MonitorEvent<P>
      : never;

/** Subscription filters (the protocol's, with `types` narrowed to known patterns). */
export type SubscribeFilters = Omit<Filters, 'types'> & { types?: EventPattern[] };

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A token, or a function returning one (called on every connect and before expiry). */
export type TokenProvider = () => string | Promise<string>;

/** What the server said about us after `auth`. */
export interface AuthInfo {
  clientId: string;
  subject: string;
  role: Role;
  permissions: Permission[];
  /** Session-name patterns this token may see, or null for all. */
  sessions: string[] | null;
  /** Host-name patterns this token may see, or null for all (protocol v1.1; null from older servers). */
  hosts: string[] | null;
  /** ISO 8601, or null when the token does not expire. */
  expiresAt: string | null;
}

export interface ReconnectOptions extends BackoffOptions {
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number;
}

export interface TmuxMonitorOptions {
  token?: string | TokenProvider;
  /** A WebSocket constructor, e.g. the `ws` package's on Node 20. Default: the global one, else `ws`. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect after unexpected closes (default true: 0.5 s → 20 s, full jitter). */
  reconnect?: boolean | ReconnectOptions;
  /** On a gap, take a snapshot and pass it with the `gap` event (`{ lines }` to include pane text). */
  snapshotOnGap?: boolean | { lines?: number };
  /** Reject a request that gets no reply within this time, queued time included (default 15 000). */
  requestTimeoutMs?: number;
  /** Give up on a connection attempt not established within this time (default 10 000). */
  connectTimeoutMs?: number;
  /** Ping after this much silence; reconnect if the ping gets nothing back within as long again (default 25 000; 0: off). */
  pingIntervalMs?: number;
  /** Re-authenticate this long before the token expires (default 30 000; at most a quarter of its remaining life). */
  tokenRefreshMarginMs?: number;
}

export interface OpenEvent {
  epoch: string;
  clientId: string;
  /** False on the first connection, true after a reconnect. */
  reconnected: boolean;
}

export interface CloseEvent {
  code: number;
  reason: string;
  /** The server closed with 4401, 4403 or 1009: the client stops. */
  terminal: boolean;
  /** Whether a reconnect follows. */
  willReconnect: boolean;
  /** Why it stopped, when it stopped for good because of the server. */
  error?: TmuxMonitorError;
}

export interface ReconnectingEvent {
  /** 1 for the first attempt after a drop. */
  attempt: number;
  delayMs: number;
  code: number;
  reason: string;
}

export interface ResumedEvent {
  epoch: string;
  /** The `seq` resumed from (the last one seen), 0 after an epoch change. */
  since: number;
  /** How many missed events were delivered. */
  replayed: number;
  /** False when a `gap` was emitted just before. */
  complete: boolean;
}

export interface GapEvent {
  epoch: string;
  previousEpoch: string;
  /** The last `seq` seen before the gap (in `previousEpoch`). */
  since: number;
  /** `epoch-changed`: the server restarted; `history-lost`: it no longer held all missed events. */
  reason: 'epoch-changed' | 'history-lost';
  /** With `snapshotOnGap`: the state re-read after resuming. */
  snapshot?: SnapshotData;
}

export interface LifecycleEventMap {
  open: OpenEvent;
  close: CloseEvent;
  reconnecting: ReconnectingEvent;
  resumed: ResumedEvent;
  gap: GapEvent;
  error: TmuxMonitorError;
  auth: AuthInfo;
}
export type LifecycleEventName = keyof LifecycleEventMap;

export type { EventType, MonitorEvent };

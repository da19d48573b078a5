/** Messages the server sends that are not events (docs/protocol.md, "Server → client"). */
import type { ErrorCode } from './errors.ts';
import type { MonitorEvent } from './events.ts';
import type { Filters } from './schemas.ts';
import type { SnapshotData, Target } from './snapshot.ts';

export const PROTOCOL_VERSION = 1;
export const SERVER_NAME = 'tmux-monitor';
export const SERVER_VERSION = '0.1.0';

export type RequestId = string | number;

export type Permission = 'read' | 'subscribe' | 'snapshot' | 'output' | 'write' | 'admin';
export type Role = 'viewer' | 'operator' | 'admin';

interface Reply {
  id?: RequestId;
}

export interface ConnectionEstablished {
  type: 'connection.established';
  client_id: string;
  timestamp: string;
  protocol: number;
  server: string;
  epoch: string;
  auth_required: boolean;
  auth_timeout_ms: number;
}

export interface AuthResponse extends Reply {
  type: 'auth.response';
  success: true;
  client_id: string;
  subject: string;
  role: Role;
  permissions: Permission[];
  sessions: string[] | null;
  /** Host-name patterns the token is limited to, or null = all (v1.1). */
  hosts?: string[] | null;
  expires_at: string | null;
}

export interface SubscriptionConfirmed extends Reply {
  type: 'subscription.confirmed';
  subscription: string;
  filters: Filters;
  subscriptions: string[];
  seq: number;
  /** Entries of `filters.types` that name no event type we know: accepted, they never match. */
  unknown_types: string[];
}

export interface UnsubscribeConfirmed extends Reply {
  type: 'unsubscribe.confirmed';
  subscriptions: string[];
}

export interface ReplayComplete extends Reply {
  type: 'replay.complete';
  subscription: string;
  from: number;
  to: number;
  count: number;
  complete: boolean;
}

export interface SnapshotAcknowledged extends Reply {
  type: 'snapshot.acknowledged';
  target: Target | null;
}

export interface SnapshotDataMessage extends Reply {
  type: 'snapshot.data';
  data: SnapshotData;
}

export interface CommandResult extends Reply {
  type: 'command.result';
  success: boolean;
  command: 'send' | 'interrupt';
  target: Target;
}

/** v1.1: the answer to `ack`; `cleared` counts the panes whose attention cleared. */
export interface AckResult extends Reply {
  type: 'ack.result';
  success: true;
  target: { host?: string; session: string; window: string | number; pane?: string | number };
  cleared: number;
}

export interface Pong extends Reply {
  type: 'pong';
  timestamp: string;
}

export interface ErrorMessage extends Reply {
  type: 'error';
  code: ErrorCode;
  message: string;
  timestamp: string;
  details?: unknown;
}

export type ServerMessage =
  | ConnectionEstablished
  | AuthResponse
  | SubscriptionConfirmed
  | UnsubscribeConfirmed
  | ReplayComplete
  | SnapshotAcknowledged
  | SnapshotDataMessage
  | CommandResult
  | Pong
  | ErrorMessage
  | MonitorEvent
  | AckResult;

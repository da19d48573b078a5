/**
 * tmux-monitor/client — the JavaScript/TypeScript client (docs/client.md).
 * Runs in browsers, Node ≥ 20 (with `ws`), Bun and Deno; no Node built-ins.
 */
export { TmuxMonitor } from './monitor.ts';
export { Subscription } from './subscription.ts';
export { TmuxMonitorError, type ClientErrorCode, type TmuxMonitorErrorCode } from './errors.ts';
export { backoffDelay, type BackoffOptions } from './backoff.ts';
export { jwtExpiry } from './jwt.ts';
export { monitorUrl } from './url.ts';
export { formatTarget, parseTarget, type CommandTarget } from './target.ts';
export type { WebSocketConstructor, WebSocketLike } from './websocket.ts';
export type {
  AuthInfo,
  CloseEvent,
  ConnectionState,
  EventFamily,
  EventPattern,
  EventsMatching,
  GapEvent,
  LifecycleEventMap,
  LifecycleEventName,
  OpenEvent,
  ReconnectingEvent,
  ReconnectOptions,
  ResumedEvent,
  SubscribeFilters,
  TmuxMonitorOptions,
  TokenProvider,
} from './types.ts';
export type { EventDataMap, EventLocation, EventType, MonitorEvent, AgentStatus, Severity } from '../protocol/events.ts';
export type { SnapshotData, SessionSnapshot, WindowSnapshot, PaneSnapshot, Target } from '../protocol/snapshot.ts';
export type { AckResult, CommandResult, Permission, Role } from '../protocol/messages.ts';
export type { ErrorCode } from '../protocol/errors.ts';

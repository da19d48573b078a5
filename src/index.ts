/**
 * tmux-monitor as a library: the server as a Hono sub-app (`createMonitor`) to mount in a
 * host app on Node, Bun or Deno, its event sources, tokens, the wire protocol's types, and
 * the per-runtime WebSocket wiring (docs/embedding.md).
 *
 * Everything here is runtime-neutral at import time: no `Bun`/`Deno` global and no Node
 * built-in is touched until a helper for that runtime is called. Hono is the host's own
 * (a peer dependency): the monitor is a Hono app that the host mounts with `app.route()`.
 */

// The server.
export { createMonitor, DEFAULTS, type Monitor, type MonitorOptions } from './monitor.ts';
export type { Hub, Logger, LogLevel } from './hub/hub.ts';
export type { AuditSink } from './hub/audit.ts';

// Attention (v1.1): which panes need a person, notifications out, tmux's status line.
export type { AttentionService, AttentionOptions, AckTarget } from './attention/service.ts';
export type { AttentionChange, PaneRecord } from './attention/tracker.ts';
export { Notifier, type NotifierOptions, type NotifyFormat, type AttemptRecord } from './notify/index.ts';
export { TmuxStatusLine, type StatusLineOptions } from './tmux/status/status-line.ts';

// Event sources.
export { createMemorySource, type MemorySource } from './hub/memory-source.ts';
export { createTmuxSource, createPollSource, type TmuxSourceOptions, type PollSourceOptions } from './tmux/index.ts';
export { createStdinSource, parseStdinLine } from './cli/stdin-source.ts';

// Tokens.
export { signToken, type TokenClaims } from './auth/signer.ts';
export { createVerifier, type TokenVerifier, type VerifierOptions } from './auth/verifier.ts';
export type { Principal } from './auth/principal.ts';

// The wire protocol (v1): types, and the few values a host may need.
export type * from './protocol/events.ts';
export type * from './protocol/messages.ts';
export type * from './protocol/snapshot.ts';
export type * from './protocol/source.ts';
export type { ErrorCode } from './protocol/errors.ts';
export type { ClientMessage, Filters, Action } from './protocol/schemas.ts';
export { CloseCode, ERROR_CODES, MonitorError } from './protocol/errors.ts';
export { EVENT_TYPES, AGENT_STATUSES } from './protocol/events.ts';
export { PROTOCOL_VERSION, SERVER_NAME, SERVER_VERSION } from './protocol/messages.ts';

// Per-runtime WebSocket kits for hosts (one contract, src/runtime/websocket.ts; see the docs).
export type { Peer, PeerHandlers, WebSocketKit, WebSocketOptions } from './runtime/websocket.ts';
export { createNodeWebSocket, type NodeWebSocketKit, type NodeWebSocketOptions } from './runtime/node-websocket.ts';
export { createBunWebSocket, type BunWebSocket, type BunWebSocketOptions, type BunServerWebSocket } from './runtime/bun-websocket.ts';
export { createDenoWebSocket, type DenoWebSocketOptions } from './runtime/deno-websocket.ts';
// Or any of Hono's own upgradeWebSocket helpers (@hono/node-ws, hono/bun, hono/deno).
export { honoWebSocketKit, type HonoWebSocketOptions } from './runtime/hono-websocket.ts';

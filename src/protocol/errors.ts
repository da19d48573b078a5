/** Error codes carried by `error` messages (docs/protocol.md, "Error codes"). */
export const ERROR_CODES = [
  'AUTH_REQUIRED',
  'AUTH_FAILED',
  'TOKEN_EXPIRED',
  'FORBIDDEN',
  'INVALID_JSON',
  'INVALID_MESSAGE',
  'INVALID_FILTER',
  'UNKNOWN_ACTION',
  'RATE_LIMIT',
  'NOT_FOUND',
  'TMUX_UNAVAILABLE',
  'INTERNAL_ERROR',
  'AMBIGUOUS_TARGET',
  'HOST_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** WebSocket close codes (docs/protocol.md, "Close codes"). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TOO_LARGE: 1009,
  AUTH: 4401,
  FORBIDDEN: 4403,
  AUTH_TIMEOUT: 4408,
  RATE_LIMIT: 4429,
  SLOW_CONSUMER: 4503,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client must not reconnect on its own. */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([CloseCode.AUTH, CloseCode.FORBIDDEN, CloseCode.TOO_LARGE]);

/** An error that maps to a protocol error code; thrown by sources and handlers. */
export class MonitorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'MonitorError';
  }
}

import type { ErrorCode } from '../protocol/errors.ts';

/**
 * Codes of errors raised by the client itself (beside the protocol's own codes):
 * - CLOSED: `close()` was called, or the connection ended for good.
 * - DISCONNECTED: the connection dropped while the request was in flight (a command may
 *   or may not have run; it is not retried).
 * - TIMEOUT: no reply within `requestTimeoutMs`.
 * - COMMAND_FAILED: the server answered `command.result` with `success: false`.
 * - MESSAGE_TOO_LARGE: the server closed with 1009.
 * - CONNECTION_FAILED: the WebSocket implementation or the token could not be obtained.
 * - LISTENER_ERROR: an `on()` listener threw.
 */
export type ClientErrorCode =
  | 'CLOSED'
  | 'DISCONNECTED'
  | 'TIMEOUT'
  | 'COMMAND_FAILED'
  | 'MESSAGE_TOO_LARGE'
  | 'CONNECTION_FAILED'
  | 'LISTENER_ERROR';

export type TmuxMonitorErrorCode = ErrorCode | ClientErrorCode;

/** An error from the server (protocol `code`) or from the client (ClientErrorCode). */
export class TmuxMonitorError extends Error {
  readonly code: TmuxMonitorErrorCode;
  readonly details?: unknown;
  /** The WebSocket close code, when the error is that the connection was closed. */
  readonly closeCode?: number;

  constructor(code: TmuxMonitorErrorCode, message: string, extra: { details?: unknown; closeCode?: number; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'TmuxMonitorError';
    this.code = code;
    if (extra.details !== undefined) this.details = extra.details;
    if (extra.closeCode !== undefined) this.closeCode = extra.closeCode;
  }
}

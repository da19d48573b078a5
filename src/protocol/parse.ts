/**
 * Inbound message parsing: a client's text frame to a valid `ClientMessage`, or the error
 * to answer with (code, message, the request's id when it had a usable one, details).
 * Never throws, whatever the text.
 */
import * as v from 'valibot';
import type { ErrorCode } from './errors.ts';
import type { RequestId } from './messages.ts';
import { ACTIONS, describeIssues, MESSAGE_SCHEMAS, type Action, type ClientMessage } from './schemas.ts';

export interface ParseFailure {
  ok: false;
  code: ErrorCode;
  message: string;
  /** The request's id, when the message had one that could be echoed. */
  id: RequestId | undefined;
  details?: unknown;
}

export type ParseResult = { ok: true; message: ClientMessage } | ParseFailure;

export function parseClientMessage(text: string): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('INVALID_JSON', 'message is not valid JSON', undefined);
  }
  const id = requestIdOf(parsed);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('INVALID_MESSAGE', 'message must be a JSON object with an "action"', id);
  }
  const action = (parsed as { action?: unknown }).action;
  if (typeof action !== 'string') {
    return fail('INVALID_MESSAGE', 'message has no "action" string', id, [{ path: 'action', message: 'required' }]);
  }
  if (!(ACTIONS as readonly string[]).includes(action)) {
    return fail('UNKNOWN_ACTION', `unknown action "${action.slice(0, 64)}"`, id, { actions: ACTIONS });
  }
  const result = v.safeParse(MESSAGE_SCHEMAS[action as Action], parsed);
  if (!result.success) {
    const details = describeIssues(result.issues);
    const where = details.map((d) => d.path || '(message)').join(', ');
    return fail('INVALID_MESSAGE', `invalid "${action}" message: ${where}`, id, details);
  }
  return { ok: true, message: result.output };
}

function fail(code: ErrorCode, message: string, id: RequestId | undefined, details?: unknown): ParseFailure {
  return details === undefined ? { ok: false, code, message, id } : { ok: false, code, message, id, details };
}

/** The message's `id`, if it is one a reply may carry (a string up to 64 characters, or a finite number). */
export function requestIdOf(message: unknown): RequestId | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const id = (message as { id?: unknown }).id;
  if (typeof id === 'string' && id.length <= 64) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  return undefined;
}

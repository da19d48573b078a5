/**
 * Schemas for every message a client may send, checked with valibot before any handler
 * sees it. Unknown keys are rejected so that a typo ("filter" for "filters") is an error
 * the client sees rather than a silent no-op.
 */
import * as v from 'valibot';
import { isWellFormedType } from './compat.ts';

const MAX_FILTER_ENTRIES = 100;
const MAX_FILTER_ENTRY_LENGTH = 256;
export const MAX_SNAPSHOT_LINES = 2000;
export const MAX_SEND_TEXT = 16 * 1024;

const RequestId = v.union([v.pipe(v.string(), v.maxLength(64)), v.pipe(v.number(), v.finite())]);
const Name = v.pipe(v.string(), v.minLength(1), v.maxLength(256));
const NameOrIndex = v.union([Name, v.pipe(v.number(), v.integer(), v.minValue(0))]);

const FilterEntry = v.union([v.pipe(v.string(), v.maxLength(MAX_FILTER_ENTRY_LENGTH)), v.pipe(v.number(), v.integer(), v.minValue(0))]);
const FilterList = v.pipe(v.array(FilterEntry), v.maxLength(MAX_FILTER_ENTRIES));

// A `types` entry must be a well-formed type, family (`pane.*`) or `*`. Types we do not know
// are accepted, never match, and are listed back as `unknown_types` (./compat.ts).

export const FiltersSchema = v.strictObject({
  types: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.check(isWellFormedType, 'not an event type, family (pane.*) or *'))),
      v.maxLength(MAX_FILTER_ENTRIES),
    ),
  ),
  sessions: v.optional(FilterList),
  hosts: v.optional(FilterList),
  windows: v.optional(FilterList),
  panes: v.optional(FilterList),
});
export type Filters = v.InferOutput<typeof FiltersSchema>;

export const AuthMessage = v.strictObject({
  action: v.literal('auth'),
  id: v.optional(RequestId),
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(16 * 1024)),
});

// `filters` is checked on its own (FiltersSchema) so that a bad filter answers
// INVALID_FILTER rather than INVALID_MESSAGE, as the contract asks.
export const SubscribeMessage = v.strictObject({
  action: v.literal('subscribe'),
  id: v.optional(RequestId),
  filters: v.optional(v.unknown()),
  since: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  epoch: v.optional(v.pipe(v.string(), v.maxLength(64))),
});

export const UnsubscribeMessage = v.strictObject({
  action: v.literal('unsubscribe'),
  id: v.optional(RequestId),
  subscription: v.optional(v.pipe(v.string(), v.maxLength(64))),
  // Or the filters of the subscription(s) to remove, as the first implementation's clients do.
  filters: v.optional(v.unknown()),
});

export const SnapshotMessage = v.strictObject({
  action: v.literal('snapshot'),
  id: v.optional(RequestId),
  // `null` (as the first implementation's clients send) is the whole tree, like no target.
  target: v.nullish(
    v.strictObject({
      host: v.optional(Name),
      session: v.optional(Name),
      window: v.optional(NameOrIndex),
      pane: v.optional(NameOrIndex),
    }),
  ),
  lines: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_SNAPSHOT_LINES))),
  /** v1.1: keep colours (SGR sequences) in `content`. */
  escapes: v.optional(v.boolean()),
});

export const CommandMessage = v.strictObject({
  action: v.literal('command'),
  id: v.optional(RequestId),
  target: v.strictObject({ host: v.optional(Name), session: Name, window: NameOrIndex, pane: v.optional(NameOrIndex) }),
  command: v.picklist(['send', 'interrupt']),
  // Any character goes through exactly, NUL and control bytes included; a lone surrogate
  // has no bytes to type, so it is refused rather than silently changed.
  text: v.optional(v.pipe(v.string(), v.maxLength(MAX_SEND_TEXT), v.check(isWellFormed, 'text has a lone surrogate; send valid Unicode'))),
  enter: v.optional(v.boolean()),
});

/** v1.1: acknowledge a pane's attention (no pane: every pane of the window). */
export const AckMessage = v.strictObject({
  action: v.literal('ack'),
  id: v.optional(RequestId),
  target: v.strictObject({ host: v.optional(Name), session: Name, window: NameOrIndex, pane: v.optional(NameOrIndex) }),
});
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export const PingMessage = v.strictObject({
  action: v.literal('ping'),
  id: v.optional(RequestId),
});

export const ClientMessageSchema = v.variant('action', [
  AuthMessage,
  SubscribeMessage,
  UnsubscribeMessage,
  SnapshotMessage,
  CommandMessage,
  PingMessage,
  AckMessage,
]);
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;
export type Action = ClientMessage['action'];
export const ACTIONS: readonly Action[] = ['auth', 'subscribe', 'unsubscribe', 'snapshot', 'command', 'ping', 'ack'];

/**
 * Each action's schema, for a message whose action is already known: checked against its
 * own schema, it skips the variant's walk over every option (the same issues come out).
 */
export const MESSAGE_SCHEMAS: { readonly [A in Action]: (typeof ClientMessageSchema)['options'][number] } = {
  auth: AuthMessage,
  subscribe: SubscribeMessage,
  unsubscribe: UnsubscribeMessage,
  snapshot: SnapshotMessage,
  command: CommandMessage,
  ping: PingMessage,
  ack: AckMessage,
};

/** One problem with an inbound message, for `error.details`. */
export interface Issue {
  path: string;
  message: string;
}

export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): Issue[] {
  return issues.map((issue) => ({
    path: v.getDotPath(issue) ?? '',
    message: issue.message,
  }));
}

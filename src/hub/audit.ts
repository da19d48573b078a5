/**
 * The audit trail: who connected, authenticated, subscribed, sent commands, and why
 * connections closed. Records are plain objects; the runtime writes them as JSON Lines.
 * Tokens never go in here.
 */
export type AuditSink = (record: Record<string, unknown>) => void;

export type AuditEvent =
  | 'connect'
  | 'auth.success'
  | 'auth.failure'
  | 'subscribe'
  | 'unsubscribe'
  | 'command'
  | 'ack'
  | 'notify'
  | 'rate_limit.close'
  | 'slow_consumer.close'
  | 'disconnect'
  | 'rejected';

export type Audit = (event: AuditEvent, fields: Record<string, unknown>) => void;

/**
 * The audit function, or `undefined` with no sink: callers write `audit?.(event, {...})`,
 * which then does not even build the record (three per connection, otherwise thrown away).
 */
export function createAudit(sink: AuditSink | undefined): Audit | undefined {
  if (!sink) return undefined;
  return (event, fields) => {
    try {
      sink({ time: new Date().toISOString(), event, ...fields });
    } catch {
      // An audit sink that fails (disk full) must not take a connection down.
    }
  };
}

/**
 * What a Connection needs from the hub, and nothing more: the settings, the epoch and
 * the last event fanned out, the history to replay from (and the event log to catch up on), the source to answer snapshots
 * and commands, and the shared audit, metrics and failed-auth records. The Hub is one;
 * a test can give a small fake.
 */
import type { AttentionService } from '../attention/service.ts';
import type { EventSource } from '../protocol/source.ts';
import type { Audit } from './audit.ts';
import type { Connection } from './connection.ts';
import type { EventLog } from './event-log.ts';
import type { ExpirySchedule } from './expiry.ts';
import type { History } from './history.ts';
import type { HubOptions, Logger } from './hub.ts';
import type { Metrics } from './metrics.ts';
import type { FailedAuthTracker } from './rate-limit.ts';

export interface ConnectionHub {
  readonly options: HubOptions;
  readonly epoch: string;
  /** Set on shutdown: connections that still arrive are turned away with 1001. */
  readonly closing: boolean;
  /** Highest seq fanned out; replays stop here, live delivery goes on. */
  readonly lastPublished: number;
  readonly history: Pick<History, 'since'>;
  /** A resume on a server instance that is behind (a NATS bus) waits here to catch up. */
  readonly eventLog: Pick<EventLog, 'reach'>;
  /** v1.1 attention: decorates snapshots and answers `ack` (undefined when turned off). */
  readonly attention?: Pick<AttentionService, 'decorate' | 'ack'>;
  readonly source: Pick<EventSource, 'snapshot' | 'command'>;
  readonly audit: Audit | undefined;
  readonly metrics: Metrics;
  readonly failedAuth: Pick<FailedAuthTracker, 'isBlocked' | 'record'>;
  /** When each connection's token expires (calls `expired()`). */
  readonly expiries: Pick<ExpirySchedule<Connection>, 'add' | 'delete'>;
  readonly log: Logger;
  nextClientId(): string;
  /** The connection has closed: stop fanning out to it. */
  remove(connection: Connection): void;
}

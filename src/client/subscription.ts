import type { Filters } from '../protocol/schemas.ts';
import type { RequestId } from '../protocol/messages.ts';
import type { SubscribeFilters } from './types.ts';

/** The client's record of one subscription; it outlives connections. */
export interface SubscriptionRecord {
  /** As given to subscribe(); sent again on every (re)subscribe. */
  readonly requested: SubscribeFilters;
  /** As normalised by the server, once confirmed. */
  filters: Filters | null;
  /** The server's id on the current connection, or null while not subscribed there. */
  serverId: string | null;
  /** `seq` of the latest confirmation, in the monitor's current epoch: the floor to resume from. */
  confirmedSeq: number | null;
  /** The id of the subscribe request in flight. */
  pendingId: RequestId | null;
  /** False once unsubscribed. */
  active: boolean;
}

/** A live subscription. Its `id` is the server's and changes when a reconnect resubscribes. */
export class Subscription {
  readonly #record: SubscriptionRecord;
  readonly #unsubscribe: (record: SubscriptionRecord) => Promise<void>;

  constructor(record: SubscriptionRecord, unsubscribe: (record: SubscriptionRecord) => Promise<void>) {
    this.#record = record;
    this.#unsubscribe = unsubscribe;
  }

  /** The server's id (e.g. `sub-1`) on the current connection, or null while disconnected. */
  get id(): string | null {
    return this.#record.serverId;
  }

  /** The filters as the server normalised them (those requested until confirmed). */
  get filters(): Filters {
    return this.#record.filters ?? this.#record.requested;
  }

  get active(): boolean {
    return this.#record.active;
  }

  /** Stops this subscription (others keep running). Resolves once the server confirms. */
  unsubscribe(): Promise<void> {
    return this.#unsubscribe(this.#record);
  }
}

/**
 * Publishes to the stream through a bounded queue. While the bus is away (NATS
 * restarting, network down) events wait here; when the queue is full the oldest is
 * dropped and counted, so a long outage costs memory up to the bound and no more.
 * Every message carries a unique `Nats-Msg-Id`: a publish retried after a lost ack is
 * stored once (the stream's duplicate window), and ids chosen by several servers for the
 * same fact (a host lost) are stored once too.
 */
import type { JetStreamClient } from '@nats-io/jetstream';

export interface PublisherOptions {
  /** Most messages waiting (default 10 000). */
  maxQueue?: number;
  /** Publishes awaiting their ack at once (default 256). */
  maxInFlight?: number;
  /** Attempts per message before it is dropped (default 5). */
  maxAttempts?: number;
  /** Prefix of generated message ids; unique per process. */
  idPrefix: string;
  onError?: (error: unknown) => void;
}

interface Pending {
  subject: string;
  data: string;
  id: string;
  attempts: number;
}

export class Publisher {
  /** Messages dropped: the queue was full, or a message failed every attempt. */
  dropped = 0;
  published = 0;
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private counter = 0;
  private connected = true;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idle: (() => void)[] = [];
  private readonly maxQueue: number;
  private readonly maxInFlight: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly js: JetStreamClient,
    private readonly options: PublisherOptions,
  ) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? 256;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  get queued(): number {
    return this.queue.length + this.inFlight;
  }

  /** Queues a message; `id` makes it idempotent across publishers (default: unique). */
  publish(subject: string, data: string, id?: string): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push({ subject, data, id: id ?? `${this.options.idPrefix}:${++this.counter}`, attempts: 0 });
    this.pump();
  }

  /** The bus went away (false) or came back (true). */
  setConnected(connected: boolean): void {
    this.connected = connected;
    if (connected) this.pump();
  }

  /** Resolves when everything queued has been acknowledged (or `timeoutMs` passed). */
  flush(timeoutMs = 5000): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.queue.length = 0;
    this.settle();
  }

  private pump(): void {
    while (this.connected && !this.closed && this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.inFlight++;
      item.attempts++;
      this.js.publish(item.subject, item.data, { msgID: item.id, timeout: 5000 }).then(
        () => {
          this.inFlight--;
          this.published++;
          this.pump();
          this.settle();
        },
        (error: unknown) => {
          this.inFlight--;
          // The bus or JetStream not answering (yet: a restarted server recovers its streams
          // for a moment) is no fault of the message: only other errors use up its attempts.
          if (isTransient(error)) item.attempts--;
          if (item.attempts >= this.maxAttempts || this.closed) {
            this.dropped++;
            this.options.onError?.(error);
          } else {
            // Back at the head: sent again once the bus answers (same id, stored once).
            this.queue.unshift(item);
          }
          this.retryTimer ??= setTimeout(() => {
            this.retryTimer = undefined;
            this.pump();
          }, 500);
          this.settle();
        },
      );
    }
  }

  private settle(): void {
    if (this.queued > 0 && !this.closed) return;
    const idle = this.idle;
    this.idle = [];
    for (const wake of idle) wake();
  }
}

function isTransient(error: unknown): boolean {
  const text =
    error instanceof Error ? `${error.name} ${error.message} ${String((error as { code?: unknown }).code ?? '')}` : String(error);
  return /no responders|timeout|timed out|disconnect|closed|reconnect|503/i.test(text);
}

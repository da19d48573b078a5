/**
 * Delivery to one endpoint: a bounded queue sent in order, one request at a time, each with
 * a timeout; 5xx, timeouts and network errors are retried with exponential backoff and
 * jitter, 4xx never. Each endpoint has its own queue and timers, so a slow or dead endpoint
 * never delays another (or the hub, which only enqueues).
 */
import { buildRequest, DELIVERY_HEADER, TIMESTAMP_HEADER, type NotifyFormat } from './formats.ts';
import type { Notice } from './notice.ts';

export interface DeliveryOptions {
  /** Per request (ms, default 5000). */
  timeoutMs: number;
  /** Attempts per notice, the first included (default 5). */
  maxAttempts: number;
  /** First retry gap (ms, default 1000); each later gap doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Notices waiting per endpoint; the oldest is dropped beyond this (default 100). */
  queueSize: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = { timeoutMs: 5000, maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, queueSize: 100 };

/** One attempt, as written to the audit log. */
export interface AttemptRecord {
  endpoint: string;
  format: NotifyFormat;
  delivery: string;
  attempt: number;
  /** `delivered`, `failed` (no retry), `retry`, `gave_up` or `dropped` (queue full). */
  outcome: 'delivered' | 'failed' | 'retry' | 'gave_up' | 'dropped';
  status?: number;
  error?: string;
  retry_in_ms?: number;
  pane_id?: string;
  attention?: string | null;
}

/** Equal jitter: half the doubled gap fixed, half random, so gaps still grow. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

/** An endpoint's URL for logs: scheme, host and port only (webhook paths carry secrets). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}

export class Endpoint {
  readonly label: string;
  private readonly queue: { notice: Notice; delivery: string }[] = [];
  private busy = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wakeRetry: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly url: string,
    readonly format: NotifyFormat,
    private readonly secret: string | undefined,
    private readonly options: DeliveryOptions,
    private readonly record: (attempt: AttemptRecord) => void,
  ) {
    this.label = redactUrl(url);
  }

  enqueue(notice: Notice): void {
    if (this.closed) return;
    const delivery = crypto.randomUUID();
    if (this.queue.length >= this.options.queueSize) {
      const dropped = this.queue.shift()!;
      this.record({
        endpoint: this.label,
        format: this.format,
        delivery: dropped.delivery,
        attempt: 0,
        outcome: 'dropped',
        pane_id: dropped.notice.pane_id,
      });
    }
    this.queue.push({ notice, delivery });
    if (!this.busy) void this.pump();
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    clearTimeout(this.timer);
    this.wakeRetry?.();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const next = this.queue.shift()!;
        await this.deliver(next.notice, next.delivery);
      }
    } finally {
      this.busy = false;
      const waiters = this.idleWaiters.splice(0);
      for (const wake of waiters) wake();
    }
  }

  private async deliver(notice: Notice, delivery: string): Promise<void> {
    const request = await buildRequest(this.format, notice, this.secret);
    const base = { endpoint: this.label, format: this.format, delivery, pane_id: notice.pane_id, attention: notice.attention };
    for (let attempt = 1; !this.closed; attempt++) {
      let status: number | undefined;
      let error: string | undefined;
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { ...request.headers, [TIMESTAMP_HEADER]: String(Math.floor(Date.now() / 1000)), [DELIVERY_HEADER]: delivery },
          body: request.body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
          redirect: 'error',
        });
        status = response.status;
        await response.body?.cancel().catch(() => {});
      } catch (e) {
        error = (e as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : String((e as Error).message ?? e);
      }
      if (status !== undefined && status < 300) {
        this.record({ ...base, attempt, outcome: 'delivered', status });
        return;
      }
      // A 4xx will not get better by asking again; a 3xx means a wrong URL.
      if (status !== undefined && status < 500) {
        this.record({ ...base, attempt, outcome: 'failed', status });
        return;
      }
      if (attempt >= this.options.maxAttempts) {
        this.record({ ...base, attempt, outcome: 'gave_up', status, error });
        return;
      }
      const delay = backoffDelay(attempt, this.options.baseDelayMs, this.options.maxDelayMs);
      this.record({ ...base, attempt, outcome: 'retry', status, error, retry_in_ms: delay });
      await new Promise<void>((resolve) => {
        this.wakeRetry = resolve;
        this.timer = setTimeout(resolve, delay);
      });
      this.wakeRetry = undefined;
    }
  }
}

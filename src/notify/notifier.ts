/**
 * Notifications out: follows attention changes and posts a notice to every endpoint for
 * each new attention that passes the filters (`on`, `sessions`), after `afterMs` if the
 * pane is still unattended then, and optionally a notice when it clears. Never blocks the
 * hub: the listener only sets timers and enqueues; endpoints deliver on their own.
 */
import type { AttentionService } from '../attention/service.ts';
import type { AttentionChange, AttentionState, PaneRecord } from '../attention/tracker.ts';
import { compileScope } from '../auth/scope.ts';
import type { EventSource } from '../protocol/source.ts';
import { DEFAULT_DELIVERY, Endpoint, type AttemptRecord, type DeliveryOptions } from './endpoint.ts';
import { formatOf, type NotifyFormat } from './formats.ts';
import { headline, type Notice } from './notice.ts';
import { timeLimited } from '../time-limit.ts';

export interface NotifierOptions {
  /** `--notify` values: URLs, optionally prefixed `json:`, `ntfy:` or `slack:`. */
  urls: readonly string[];
  /** Format for every URL without a prefix (default: guessed from the URL). */
  format?: NotifyFormat;
  /** HMAC-SHA256 key for the JSON format's signature header. */
  secret?: string;
  /** Which attention to notify about (default all three). */
  on?: readonly AttentionState[];
  /** Only after the pane stayed unattended this long (ms, default 0). */
  afterMs?: number;
  /** Session-name patterns (`*` wildcard); default every session. */
  sessions?: readonly string[];
  /** Also post when a notified pane's attention clears. */
  clearing?: boolean;
  /** Screen lines in each notice (default 10). */
  lines?: number;
  /** The dashboard link for a pane (no token in it). */
  link?: (pane: Readonly<PaneRecord>) => string | null;
  delivery?: Partial<DeliveryOptions>;
  /** Every attempt (the audit log). */
  record?: (attempt: AttemptRecord) => void;
}

export class Notifier {
  readonly endpoints: Endpoint[];
  private readonly on: ReadonlySet<AttentionState>;
  private readonly inScope: ((session: string) => boolean) | null;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Panes whose current attention was announced (for clearing notices). */
  private readonly announced = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly attention: AttentionService,
    private readonly source: EventSource,
    private readonly options: NotifierOptions,
  ) {
    const delivery = { ...DEFAULT_DELIVERY, ...options.delivery };
    const record = options.record ?? (() => {});
    this.endpoints = options.urls.map((spec) => {
      const { url, format } = formatOf(spec, options.format);
      return new Endpoint(url, format, options.secret, delivery, record);
    });
    this.on = new Set(options.on ?? ['waiting', 'error', 'done']);
    this.inScope = options.sessions && options.sessions.length > 0 ? compileScope(options.sessions) : null;
    this.unsubscribe = attention.onChange((changes) => {
      for (const change of changes) this.changed(change);
    });
  }

  /** Resolves when every endpoint has nothing queued or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.idle()));
  }

  close(): void {
    this.unsubscribe();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const endpoint of this.endpoints) endpoint.close();
  }

  private changed(change: AttentionChange): void {
    const key = change.pane.key;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (change.attention === null) {
      if (this.announced.delete(key) && this.options.clearing) void this.send(change.pane, change);
      return;
    }
    // A new kind of attention replaces the old one: it is announced afresh.
    this.announced.delete(key);
    if (!this.on.has(change.attention)) return;
    const session = change.pane.location.session ?? '';
    if (this.inScope && !this.inScope(session)) return;
    const afterMs = this.options.afterMs ?? 0;
    if (afterMs <= 0) {
      this.announce(change);
      return;
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        // Still the same attention, unacknowledged: now it is worth a notification.
        const now = this.attention.tracker.get(key);
        if (now && now.attention === change.attention && now.since === change.since) this.announce(change);
      }, afterMs),
    );
  }

  private announce(change: AttentionChange): void {
    this.announced.add(change.pane.key);
    void this.send(change.pane, change);
  }

  private async send(pane: Readonly<PaneRecord>, change: AttentionChange): Promise<void> {
    const l = pane.location;
    const partial: Omit<Notice, 'text'> = {
      attention: change.attention,
      previous: change.previous,
      since: new Date(change.since).toISOString(),
      ...(l.host !== undefined ? { host: l.host } : {}),
      session: l.session ?? '',
      window: l.window ?? null,
      window_name: l.window_name ?? '',
      pane: l.pane ?? null,
      pane_id: l.pane_id ?? '',
      agent_type: pane.agentType,
      status: pane.status,
      reason: pane.reason,
      screen: change.attention === null ? '' : await this.screen(pane),
      url: this.options.link?.(pane) ?? null,
    };
    const notice: Notice = { ...partial, text: headline(partial) };
    for (const endpoint of this.endpoints) endpoint.enqueue(notice);
  }

  /** The pane's last lines, read once for all endpoints; '' if tmux does not answer soon. */
  private async screen(pane: Readonly<PaneRecord>): Promise<string> {
    const lines = this.options.lines ?? 10;
    const l = pane.location;
    if (lines <= 0 || l.pane_id === undefined || l.session === undefined || l.window === undefined) return '';
    try {
      const read = this.source.snapshot({ session: l.session_id ?? l.session, window: l.window_id ?? l.window, pane: l.pane_id }, lines);
      const sessions = await timeLimited(read, 2000, () => new Error('tmux did not answer within 2 s'));
      return sessions[0]?.windows[0]?.panes[0]?.content ?? '';
    } catch {
      return '';
    }
  }
}

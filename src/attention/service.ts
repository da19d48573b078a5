/**
 * Attention wired into the hub: fed from the hub's event stream (after each batch is fanned
 * out), it publishes `agent.attention` events, adds `attention` to snapshot panes, answers
 * `ack`, and tells listeners (notifications, the tmux status line) what changed.
 *
 * Where the source can tell which panes people are looking at in tmux (`watchViewers`),
 * those panes' attention clears.
 */
import { MonitorError } from '../protocol/errors.ts';
import type { SessionSnapshot } from '../protocol/snapshot.ts';
import type { StampedEvent } from '../hub/sequencer.ts';
import type { Hub } from '../hub/hub.ts';
import { AttentionTracker, attentionEvent, paneKey, type AttentionChange, type AttentionTrackerOptions } from './tracker.ts';

export type AttentionListener = (changes: readonly AttentionChange[]) => void;

export interface AckTarget {
  host?: string;
  session: string;
  window: string | number;
  pane?: string | number;
}

export interface AttentionService {
  readonly tracker: AttentionTracker;
  /** Called with each group of changes, after their events were published. */
  onChange(listener: AttentionListener): () => void;
  /** The hub's tap: follow a fanned-out batch. */
  observe(batch: readonly StampedEvent[]): void;
  /** Adds `attention` and `attention_since` to each pane of a snapshot. */
  decorate(sessions: SessionSnapshot[]): void;
  /**
   * Acknowledge a pane (or, with no pane, every pane of the window) that `mayAck` allows
   * (a session name → boolean). Resolves with the number of panes whose attention cleared;
   * NOT_FOUND when the target names nothing.
   */
  ack(target: AckTarget, mayAck: (session: string, host?: string) => boolean): Promise<number>;
}

export type AttentionOptions = AttentionTrackerOptions;

export function createAttention(hub: Hub, options: AttentionOptions = {}): AttentionService {
  const tracker = new AttentionTracker(options);
  const listeners = new Set<AttentionListener>();
  let seeding = false;

  const emit = (changes: readonly AttentionChange[]): void => {
    if (changes.length === 0) return;
    const events = changes.filter((c) => !c.silent).map(attentionEvent);
    if (events.length > 0) hub.publish(events);
    for (const listener of listeners) {
      try {
        listener(changes);
      } catch (error) {
        hub.log('warn', 'attention listener failed', { error: String(error) });
      }
    }
  };

  // The statuses found at start are not announced as events: read them once connected.
  const seed = (): void => {
    if (seeding) return;
    seeding = true;
    hub.source
      .snapshot(undefined, 0)
      .then((sessions) => emit(tracker.seed(sessions)))
      .catch(() => {})
      .finally(() => {
        seeding = false;
      });
  };

  hub.source.watchViewers?.((paneIds, host) => emit(tracker.setViewed(paneIds, host)));
  if (hub.source.state === 'connected') seed();

  return {
    tracker,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    observe(batch) {
      const events = [];
      let connected = false;
      for (const entry of batch) {
        const event = entry.event;
        if (event.type === 'agent.attention') continue;
        if (event.type === 'system.source' && event.data.state === 'connected') connected = true;
        events.push(event);
      }
      try {
        emit(tracker.observe(events));
      } catch (error) {
        // Attention is an extra: a fault here must never stop the event stream.
        hub.log('error', 'attention failed', { error: String(error) });
      }
      if (connected) seed();
    },
    decorate(sessions) {
      for (const s of sessions) {
        const host = (s as { host?: string }).host;
        for (const w of s.windows) {
          for (const p of w.panes) {
            const record = tracker.get(paneKey(host, p.id));
            const attention = record?.attention ?? null;
            Object.assign(p, { attention, attention_since: attention === null ? null : new Date(record!.since).toISOString() });
          }
        }
      }
    },
    async ack(target, mayAck) {
      let found = tracker.match(target).filter((r) => r.location.session === undefined || mayAck(r.location.session, r.location.host));
      if (found.length === 0) {
        // Not a pane we know: ask the source, so that a pane that exists answers "0 cleared"
        // and one that does not answers NOT_FOUND.
        const { host: _host, ...where } = target;
        const sessions = (await hub.source.snapshot(where, 0)).filter((s) => mayAck(s.name, (s as { host?: string }).host));
        if (sessions.length === 0) throw new MonitorError('NOT_FOUND', `no tmux session ${target.session}`);
        found = [];
      }
      const changes = tracker.ack(found.map((r) => r.key));
      emit(changes);
      return changes.length;
    },
  };
}

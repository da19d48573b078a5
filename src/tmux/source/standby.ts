/**
 * When the source may start a tmux control client, and the spare clients it keeps ready.
 *
 * tmux 3.3a crashes its whole server when a notification that goes to every control
 * client (`%sessions-changed`, `%session-window-changed`, `%window-pane-changed`,
 * `%client-detached`, …) comes while a control client is still identifying itself: the
 * client's control state does not exist yet (docs/tmux-source.md). Identifying spans a few
 * turns of tmux's event loop, so whatever else happens on the server then — a script making
 * sessions, a person switching windows — can take every session down. Nothing a client does
 * closes that window; what the monitor chooses is *when* its clients identify:
 *
 * - only once no such notification has come for `quietMs` (`whenQuiet`), since they come in
 *   bursts (a session made, its windows, a switch, a kill);
 * - ahead of need: a spare client (`attach -f no-output`, parked on the most recently active
 *   session, as a plain `tmux attach` would pick it) is identified at a quiet moment, and a
 *   new session gets it with `switch-client` and `refresh-client -f !no-output`: nothing
 *   identifies in the burst that made the session, and its output streams from the start.
 *
 * With tmux 3.4 or later (fixed there) `quietMs` is 0: clients start at once.
 */
import type { ControlClient } from '../control/client.ts';

/** Notification kinds tmux 3.3a sends to every control client, identified or not. */
const REACH_EVERY_CLIENT = new Set([
  'sessions-changed',
  'session-renamed',
  'session-window-changed',
  'window-pane-changed',
  'pane-mode-changed',
  'client-detached',
]);

/** Does tmux 3.3a send this notification to a client that is still identifying itself? */
export function reachesIdentifyingClients(m: { type: string; line?: string }): boolean {
  return REACH_EVERY_CLIENT.has(m.type) || (m.type === 'unknown' && m.line?.startsWith('%paste-buffer') === true);
}

export interface StandbyHost {
  /** Spares to keep ready (0: none). */
  spares: number;
  /** Quiet needed before a client identifies (ms; 0 when tmux has no such crash). */
  quietMs: number;
  /** Start a spare control client (no output, parked on a session); null when there is none to park on. */
  startSpare(): Promise<ControlClient | null>;
  /** Work to do once quiet (attach sessions that have no client yet, restart the signal client). */
  onQuiet(): Promise<void>;
}

export class Standby {
  private readonly ready: ControlClient[] = [];
  private starting = false;
  private lastNoisyAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(private readonly host: StandbyHost) {}

  /** A notification that would reach an identifying client came (checked per notification, never per output). */
  noisy(): void {
    this.lastNoisyAt = Date.now();
  }

  /** Has no such notification come for `quietMs` (may a client identify now)? */
  get quiet(): boolean {
    return Date.now() - this.lastNoisyAt >= this.host.quietMs;
  }

  /** Is this client a spare (its messages are not the source's business)? */
  has(client: ControlClient): boolean {
    return this.ready.includes(client);
  }

  /** Take a spare for a new session, or null (then the session waits for a quiet moment). */
  take(): ControlClient | null {
    const client = this.ready.shift() ?? null;
    if (client) this.whenQuiet();
    return client;
  }

  /** Give back a spare that could not be used (its session went away before the switch). */
  giveBack(client: ControlClient): void {
    if (!client.closed && !this.closed) this.ready.push(client);
  }

  /** A spare ended (its parking session was killed, or tmux went away); true if it was one. */
  ended(client: ControlClient): boolean {
    const i = this.ready.indexOf(client);
    if (i < 0) return false;
    this.ready.splice(i, 1);
    this.whenQuiet();
    return true;
  }

  /**
   * Run the host's quiet work, then top the spares up, once no notification that reaches
   * identifying clients has come for `quietMs`. One timer, re-armed only when it fires early:
   * nothing is done per notification but noting its time.
   */
  whenQuiet(): void {
    if (this.closed || this.timer) return;
    const wait = Math.max(0, this.lastNoisyAt + this.host.quietMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed) return;
      if (!this.quiet) return this.whenQuiet();
      void this.onQuiet();
    }, wait);
  }

  private async onQuiet(): Promise<void> {
    await this.host.onQuiet().catch(() => {});
    if (this.closed || this.starting || this.ready.length >= this.host.spares) return;
    // Quiet may have ended while the host worked: look again before identifying a spare.
    if (!this.quiet) return this.whenQuiet();
    this.starting = true;
    try {
      const client = await this.host.startSpare().catch(() => null);
      if (!client) return;
      if (this.closed || client.closed) await client.close();
      else this.ready.push(client);
    } finally {
      this.starting = false;
    }
    if (this.ready.length < this.host.spares) this.whenQuiet();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all(this.ready.splice(0).map((c) => c.close()));
  }
}

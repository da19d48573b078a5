/**
 * Host liveness, as every server instance sees it: agents heartbeat every 2 s; a host
 * silent for LOST_AFTER_MS is `lost`, and `connected` again when its heartbeats return.
 * Each instance decides on its own and publishes the change with a message id made of
 * what they all saw (host, agent instance, last heartbeat), so the stream stores it once.
 * While this server's own bus connection is down it judges no one.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { HostState, RawEvent } from '../protocol/events.ts';
import type { StampedEvent } from '../hub/sequencer.ts';
import type { Heartbeat } from './agent.ts';
import { encodeEvent } from './codec.ts';
import type { Publisher } from './publisher.ts';
import { discoverSubject, eventSubject, heartbeatWildcard } from './subjects.ts';

export const LOST_AFTER_MS = 6500;
const CHECK_MS = 1000;

export interface HostInfo {
  host: string;
  instance: string;
  state: HostState;
  lastSeen: number;
  /** Heartbeat number last seen from this instance. */
  n: number;
  /** n when it was declared lost. */
  lostAt: number;
  /** The stream seq of the `lost` event: the same on every instance, so it names the `connected` that follows. */
  lostSeq: number;
  dropped: number;
  queued: number;
  sourceState: string;
}

interface PaneAgent {
  session?: string;
  window?: number;
  pane?: number;
  pane_id: string;
  status: string;
  agent_type: string;
}

export class HostRegistry {
  readonly hosts = new Map<string, HostInfo>();
  /** Last agent status per pane of each host, from the events: shown as unknown when a host is lost. */
  private readonly agents = new Map<string, Map<string, PaneAgent>>();
  private subscription: Subscription | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private connected = true;
  /** Called when a host (or a restarted agent) is first heard from. */
  onHost: ((host: string) => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly publisher: Publisher,
    private readonly lostAfterMs = LOST_AFTER_MS,
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe(heartbeatWildcard(this.prefix), {
      callback: (error, message) => {
        if (error) return;
        try {
          this.heard(message.json<Heartbeat>());
        } catch {
          // Not a heartbeat: ignore.
        }
      },
    });
    this.timer = setInterval(() => this.check(), CHECK_MS);
  }

  /** Asks every agent for a heartbeat now (at start and after a reconnect), and waits `waitMs` for them. */
  async discover(waitMs: number): Promise<void> {
    this.nc.publish(discoverSubject(this.prefix));
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  state(host: string): HostState | undefined {
    return this.hosts.get(host)?.state;
  }

  /** Hosts heard from and not lost. */
  live(): string[] {
    return [...this.hosts.values()].filter((h) => h.state === 'connected').map((h) => h.host);
  }

  /** This server's bus connection went away (false) or came back (true). */
  setConnected(connected: boolean): void {
    this.connected = connected;
    // Heartbeats could not reach us meanwhile: give every host a fresh grace period.
    if (!connected) return;
    for (const info of this.hosts.values()) info.lastSeen = Date.now();
    void this.discover(0);
  }

  /** Keeps the pane table from the stream's events. */
  observe(batch: readonly StampedEvent[]): void {
    for (const { event } of batch) {
      if (event.host === undefined) continue;
      if (event.type === 'system.host' && event.data.state === 'lost') {
        // Another instance saw it first: agree at once, so every instance answers alike.
        // (A `lost` older than the last heartbeat we heard is history, not news.)
        const info = this.hosts.get(event.data.host);
        if (info && info.state === 'connected' && Date.parse(event.timestamp) >= info.lastSeen) {
          info.state = 'lost';
          info.lostAt = info.n;
        }
        if (info && info.state === 'lost') info.lostSeq = event.seq;
      }
      if (event.type === 'agent.status' && event.pane_id !== undefined) {
        let panes = this.agents.get(event.host);
        if (!panes) this.agents.set(event.host, (panes = new Map()));
        const { session, window, pane, pane_id } = event;
        panes.set(pane_id, { session, window, pane, pane_id, status: event.data.status, agent_type: event.data.agent_type });
      } else if (event.type === 'pane.removed' && event.pane_id !== undefined) {
        this.agents.get(event.host)?.delete(event.pane_id);
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
  }

  private heard(beat: Heartbeat): void {
    if (typeof beat?.host !== 'string' || typeof beat.instance !== 'string') return;
    const now = Date.now();
    const info = this.hosts.get(beat.host);
    if (!info || info.instance !== beat.instance) {
      // A new host or a restarted agent: it announces itself (`connected`) on start.
      this.hosts.set(beat.host, {
        host: beat.host,
        instance: beat.instance,
        state: 'connected',
        lastSeen: now,
        n: beat.n,
        lostAt: 0,
        lostSeq: 0,
        dropped: beat.dropped,
        queued: beat.queued,
        sourceState: beat.state,
      });
      this.onHost?.(beat.host);
      return;
    }
    info.lastSeen = now;
    info.n = beat.n;
    info.dropped = beat.dropped;
    info.queued = beat.queued;
    info.sourceState = beat.state;
    if (info.state === 'lost') {
      info.state = 'connected';
      this.announce(info, 'connected', `back:${info.host}:${info.instance}:${info.lostSeq || `n${info.lostAt}`}`);
    }
  }

  private check(): void {
    if (!this.connected) return;
    const now = Date.now();
    for (const info of this.hosts.values()) {
      if (info.state !== 'connected' || now - info.lastSeen < this.lostAfterMs) continue;
      info.state = 'lost';
      info.lostAt = info.n;
      info.lostSeq = 0;
      this.announce(info, 'lost', `lost:${info.host}:${info.instance}:${info.n}`);
      // Its agents' states are unknown until it returns.
      const panes = this.agents.get(info.host);
      for (const pane of panes?.values() ?? []) {
        if (pane.status === 'unknown') continue;
        const { pane_id, session, window, agent_type, status } = pane;
        this.send(
          info.host,
          {
            type: 'agent.status',
            host: info.host,
            session,
            window,
            pane: pane.pane,
            pane_id,
            data: { status: 'unknown', previous: status as 'ready', agent_type, reason: 'host lost' },
          },
          `unknown:${info.host}:${info.instance}:${info.n}:${pane_id}`,
        );
      }
    }
  }

  private announce(info: HostInfo, state: HostState, id: string): void {
    this.send(info.host, { type: 'system.host', host: info.host, data: { host: info.host, state } }, id);
  }

  private send(host: string, raw: RawEvent, id: string): void {
    this.publisher.publish(eventSubject(this.prefix, host, raw), encodeEvent(host, raw, new Date().toISOString()), id);
  }

  /** Prometheus text for /metrics. */
  metrics(): string {
    const lines = [
      '# HELP tmux_monitor_bus_hosts Hosts on the bus, by state.',
      '# TYPE tmux_monitor_bus_hosts gauge',
      `tmux_monitor_bus_hosts{state="connected"} ${this.live().length}`,
      `tmux_monitor_bus_hosts{state="lost"} ${this.hosts.size - this.live().length}`,
      '# HELP tmux_monitor_bus_agent_dropped_total Events an agent dropped while the bus was away (its queue was full).',
      '# TYPE tmux_monitor_bus_agent_dropped_total counter',
    ];
    for (const info of this.hosts.values()) lines.push(`tmux_monitor_bus_agent_dropped_total{host=${label(info.host)}} ${info.dropped}`);
    lines.push("# HELP tmux_monitor_bus_agent_queued Events waiting in an agent's queue.", '# TYPE tmux_monitor_bus_agent_queued gauge');
    for (const info of this.hosts.values()) lines.push(`tmux_monitor_bus_agent_queued{host=${label(info.host)}} ${info.queued}`);
    return lines.join('\n') + '\n';
  }
}

function label(value: string): string {
  return JSON.stringify(value);
}

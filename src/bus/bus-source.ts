/**
 * The EventSource a `serve --nats` instance hands its hub: snapshots and commands go by
 * request/reply to the agent of the host that owns the target. Its events come from the
 * stream (StreamLog), not from here.
 *
 * Targets: with `host`, that host only (lost → HOST_UNAVAILABLE at once). Without, every
 * live host is asked; a session name found on more than one is AMBIGUOUS_TARGET.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { MonitorError, type ErrorCode } from '../protocol/errors.ts';
import type { RawEvent, SourceState } from '../protocol/events.ts';
import type { SessionSnapshot, Target } from '../protocol/snapshot.ts';
import type { CommandRequest, EventSource } from '../protocol/source.ts';
import type { RpcReply } from './codec.ts';
import type { HostRegistry } from './hosts.ts';
import { rpcSubject } from './subjects.ts';

const REQUEST_TIMEOUT_MS = 5000;

export class BusSource implements EventSource {
  connected = true;
  /** The last full tree of each host: shown (agents unknown) while the host is lost. */
  private readonly lastKnown = new Map<string, SessionSnapshot[]>();
  private closed: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly hosts: HostRegistry,
  ) {
    // Know each host's tree before it can be lost, to show it (agents unknown) meanwhile.
    hosts.onHost = (host) => void this.remember(host);
  }

  private async remember(host: string): Promise<void> {
    try {
      this.lastKnown.set(host, await this.ask<SessionSnapshot[]>(host, 'snapshot', { lines: 0 }));
    } catch {
      // It will be asked again with the next full snapshot.
    }
  }

  get state(): SourceState {
    return this.connected ? 'connected' : 'disconnected';
  }

  async *events(): AsyncGenerator<RawEvent[]> {
    // Events come from the stream; this only ends when closed.
    await new Promise<void>((resolve) => (this.closed = resolve));
  }

  /** Any further arguments (options a newer source takes) travel to the agent as they are. */
  async snapshot(target: Target | undefined, lines: number, ...more: unknown[]): Promise<SessionSnapshot[]> {
    if (target?.host !== undefined) {
      this.checkHost(target.host);
      const sessions = await this.ask<SessionSnapshot[]>(target.host, 'snapshot', { target: localTarget(target), lines, more });
      if (target.session === undefined) this.lastKnown.set(target.host, sessions);
      return sessions;
    }
    const live = this.hosts.live();
    const answers = await Promise.allSettled(live.map((host) => this.ask<SessionSnapshot[]>(host, 'snapshot', { target, lines, more })));
    const sessions: SessionSnapshot[] = [];
    const found: string[] = [];
    answers.forEach((answer, i) => {
      if (answer.status !== 'fulfilled') return;
      if (target === undefined) this.lastKnown.set(live[i]!, answer.value);
      if (answer.value.length > 0) found.push(live[i]!);
      sessions.push(...answer.value);
    });
    if (target?.session !== undefined) {
      if (found.length > 1) throw ambiguous(target.session, found);
      if (found.length === 0) {
        const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected' && !isNotFound(a.reason));
        if (failed) throw failed.reason;
        throw new MonitorError('NOT_FOUND', `no session "${target.session}" on any host`);
      }
      return sessions;
    }
    // Lost hosts: their last known tree, every agent unknown.
    if (target === undefined) {
      for (const [host, tree] of this.lastKnown) {
        if (this.hosts.state(host) === 'lost') sessions.push(...tree.map(unknownAgents));
      }
    }
    return sessions;
  }

  async command(request: CommandRequest): Promise<void> {
    let host = request.target.host;
    if (host === undefined) {
      // Which live host has this session? Ask them all; more than one is ambiguous.
      const live = this.hosts.live();
      const answers = await Promise.allSettled(
        live.map((h) => this.ask<SessionSnapshot[]>(h, 'snapshot', { target: { session: request.target.session }, lines: 0 })),
      );
      const owners = live.filter((_, i) => answers[i]!.status === 'fulfilled');
      if (owners.length > 1) throw ambiguous(request.target.session, owners);
      if (owners.length === 0) {
        const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected' && !isNotFound(a.reason));
        if (failed) throw failed.reason;
        throw new MonitorError('NOT_FOUND', `no session "${request.target.session}" on any host`);
      }
      host = owners[0]!;
    } else {
      this.checkHost(host);
    }
    await this.ask<boolean>(host, 'command', { ...request, target: localTarget(request.target) });
  }

  async close(): Promise<void> {
    this.closed?.();
  }

  private checkHost(host: string): void {
    const state = this.hosts.state(host);
    if (state === 'lost') throw new MonitorError('HOST_UNAVAILABLE', `host "${host}" is not answering (its agent stopped heartbeating)`);
    if (state === undefined) throw new MonitorError('NOT_FOUND', `no host "${host}" on the bus`);
  }

  private async ask<T>(host: string, kind: 'snapshot' | 'command', body: unknown): Promise<T> {
    if (!this.connected) throw new MonitorError('HOST_UNAVAILABLE', 'the bus (NATS) is not reachable from this server');
    let text: string;
    try {
      const reply = await this.nc.request(rpcSubject(this.prefix, host, kind), JSON.stringify(body), { timeout: REQUEST_TIMEOUT_MS });
      text = reply.string();
    } catch (error) {
      throw new MonitorError(
        'HOST_UNAVAILABLE',
        `host "${host}" did not answer: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const reply = JSON.parse(text) as RpcReply<T>;
    if (reply.ok) return reply.result;
    throw new MonitorError(reply.error.code as ErrorCode, reply.error.message, reply.error.details);
  }
}

function localTarget<T extends { host?: string }>(target: T): Omit<T, 'host'> {
  const { host: _host, ...rest } = target;
  return rest;
}

function ambiguous(session: string, hosts: string[]): MonitorError {
  return new MonitorError('AMBIGUOUS_TARGET', `session "${session}" exists on hosts ${hosts.join(', ')}: name one with "host"`, { hosts });
}

function isNotFound(error: unknown): boolean {
  return error instanceof MonitorError && error.code === 'NOT_FOUND';
}

function unknownAgents(session: SessionSnapshot): SessionSnapshot {
  return {
    ...session,
    windows: session.windows.map((w) => ({
      ...w,
      panes: w.panes.map(({ content: _content, ...p }) => ({ ...p, agent: { ...p.agent, status: 'unknown' as const } })),
    })),
  };
}

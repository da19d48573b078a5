/**
 * Gives a one-machine source the v1.1 host level: each snapshot session carries `host`,
 * and a target that names another host is answered as one that does not exist. Events
 * get their `host` from the sequencer; the bus (src/bus/) does both for many hosts.
 */
import { MonitorError } from '../protocol/errors.ts';
import type { SessionSnapshot, Target } from '../protocol/snapshot.ts';
import type { CommandRequest, EventSource } from '../protocol/source.ts';

export function withHost(source: EventSource, host: string): EventSource {
  const check = (target: { host?: string } | undefined) => {
    if (target?.host !== undefined && target.host !== host) throw new MonitorError('NOT_FOUND', `no host "${target.host}" here (this is "${host}")`);
  };
  return {
    events: () => source.events(),
    get state() {
      return source.state;
    },
    async snapshot(target: Target | undefined, lines: number): Promise<SessionSnapshot[]> {
      check(target);
      const local = target?.host === undefined ? target : { ...target, host: undefined };
      const sessions = await source.snapshot(local, lines);
      return sessions.map((session) => (session.host === undefined ? { host, ...session } : session));
    },
    command(request: CommandRequest): Promise<void> {
      check(request.target);
      if (request.target.host === undefined) return source.command(request);
      const { host: _host, ...target } = request.target;
      return source.command({ ...request, target });
    },
    close: () => source.close(),
  };
}

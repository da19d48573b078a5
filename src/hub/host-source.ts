/**
 * Gives a one-machine source the v1.1 host level: each snapshot session carries `host`,
 * and a target that names another host is answered as one that does not exist. Events
 * get their `host` from the sequencer; the bus (src/bus/) does both for many hosts.
 *
 * A Proxy, so everything else the source has (its state, any method added later) passes
 * through untouched, with its own `this`.
 */
import { MonitorError } from '../protocol/errors.ts';
import type { SessionSnapshot } from '../protocol/snapshot.ts';
import type { CommandRequest, EventSource } from '../protocol/source.ts';

export function withHost<S extends EventSource>(source: S, host: string): S {
  const check = (target: { host?: string } | undefined) => {
    if (target?.host !== undefined && target.host !== host) throw new MonitorError('NOT_FOUND', `no host "${target.host}"`);
  };
  const snapshot = async (...args: Parameters<EventSource['snapshot']>): Promise<SessionSnapshot[]> => {
    const [target, ...rest] = args;
    check(target);
    const local = target?.host === undefined ? target : withoutHost(target);
    const sessions = await source.snapshot(local, ...rest);
    return sessions.map((session) => (session.host === undefined ? { host, ...session } : session));
  };
  const command = async (request: CommandRequest): Promise<void> => {
    check(request.target);
    return source.command(request.target.host === undefined ? request : { ...request, target: withoutHost(request.target) });
  };
  return new Proxy(source, {
    get(target, property) {
      if (property === 'snapshot') return snapshot;
      if (property === 'command') return command;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function withoutHost<T extends { host?: string }>(target: T): Omit<T, 'host'> {
  const { host: _host, ...rest } = target;
  return rest;
}

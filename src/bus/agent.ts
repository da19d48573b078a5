/**
 * The agent side of the bus: runs next to one tmux server, publishes its events to the
 * stream under its host name, answers snapshot and command requests for that host, and
 * heartbeats so servers know it is alive. It needs no HTTP listener.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { MonitorError } from '../protocol/errors.ts';
import type { RawEvent } from '../protocol/events.ts';
import type { SessionSnapshot, Target } from '../protocol/snapshot.ts';
import type { CommandRequest, EventSource } from '../protocol/source.ts';
import { withHost } from '../hub/host-source.ts';
import { encodeEvent, type RpcReply } from './codec.ts';
import { EncodedReply, fitSnapshotReply, overBytes } from './fit-reply.ts';
import type { Publisher } from './publisher.ts';
import { discoverSubject, eventSubject, heartbeatSubject, rpcSubject } from './subjects.ts';

export const HEARTBEAT_MS = 2000;

/** What an agent says in each heartbeat. */
export interface Heartbeat {
  host: string;
  /** Changes when the agent restarts. */
  instance: string;
  /** Counts up with each heartbeat of this instance. */
  n: number;
  state: string;
  /** Events dropped because the bus was away too long (the queue was full). */
  dropped: number;
  queued: number;
}

export interface AgentOptions {
  nc: NatsConnection;
  prefix: string;
  host: string;
  source: EventSource;
  publisher: Publisher;
  heartbeatMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface RunningAgent {
  readonly instance: string;
  /** Events dropped because the bus was away too long. */
  readonly dropped: number;
  /** The bus went away (false) or came back (true). */
  setConnected(connected: boolean): void;
  /** Ends when the source ends. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

export class DuplicateHostError extends Error {}

/** Starts an agent; refuses when another agent already answers for the same host. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { nc, prefix, host, publisher } = options;
  const log = options.log ?? (() => {});
  const source = withHost(options.source, host);
  const instance = crypto.randomUUID().slice(0, 8);

  const other = await nc.request(rpcSubject(prefix, host, 'ping'), '', { timeout: 1000 }).then(
    (reply) => reply.string(),
    () => undefined,
  );
  if (other !== undefined) {
    throw new DuplicateHostError(`host "${host}" already has an agent on this bus (${other}); give this one another --host`);
  }

  const subscriptions: Subscription[] = [];
  const answer = (kind: 'snapshot' | 'command' | 'ping', handle: (body: any) => Promise<unknown>) => {
    subscriptions.push(
      nc.subscribe(rpcSubject(prefix, host, kind), {
        callback: (error, message) => {
          if (error) return;
          void respond(message, handle, replyLimit(nc));
        },
      }),
    );
  };
  answer('ping', async () => ({ host, instance }));
  answer('snapshot', async (body: { target?: Target; lines?: number; more?: unknown[] }) => {
    const sessions = await (
      source.snapshot as (target: Target | undefined, lines: number, ...more: unknown[]) => Promise<SessionSnapshot[]>
    )(body.target, body.lines ?? 0, ...(Array.isArray(body.more) ? body.more : []));
    return (body.lines ?? 0) > 0 ? fitSnapshotReply(sessions, replyLimit(nc)) : sessions;
  });
  answer('command', async (body: CommandRequest) => {
    await source.command(body);
    return true;
  });

  // Watching first, then announced: a client told the host is connected can type into a pane
  // and see the output.
  await options.source.settled?.();
  publish({ type: 'system.host', host, data: { host, state: 'connected' } }, `connected:${host}:${instance}`);

  let n = 0;
  let connected = true;
  let reportedDrops = 0;
  const beat = () => {
    if (!connected) return;
    const heartbeat: Heartbeat = { host, instance, n: ++n, state: source.state, dropped: publisher.dropped, queued: publisher.queued };
    nc.publish(heartbeatSubject(prefix, host), JSON.stringify(heartbeat));
  };
  beat();
  const timer = setInterval(beat, options.heartbeatMs ?? HEARTBEAT_MS);
  subscriptions.push(nc.subscribe(discoverSubject(prefix), { callback: () => beat() }));

  const done = (async () => {
    try {
      for await (const batch of source.events()) {
        const timestamp = new Date().toISOString();
        for (const raw of batch) publish(raw, undefined, timestamp);
      }
    } catch (error) {
      log('error', 'tmux source failed', { error: String(error) });
      publish({ type: 'system.source', data: { state: 'error', message: String(error) } });
    }
  })();

  function publish(raw: RawEvent, id?: string, timestamp = new Date().toISOString()): void {
    const eventHost = raw.host ?? host;
    publisher.publish(eventSubject(prefix, eventHost, raw), encodeEvent(eventHost, raw, timestamp), id);
  }

  return {
    instance,
    done,
    get dropped() {
      return publisher.dropped;
    },
    setConnected(value: boolean) {
      connected = value;
      publisher.setConnected(value);
      if (!value) return;
      beat();
      const dropped = publisher.dropped - reportedDrops;
      if (dropped > 0) {
        reportedDrops = publisher.dropped;
        log('warn', 'events dropped while the bus was away', { dropped });
        publish({
          type: 'system.source',
          data: { state: source.state, message: `the bus was away; ${dropped} events were dropped (queue full)`, dropped },
        });
      }
    },
    async close() {
      clearInterval(timer);
      for (const subscription of subscriptions) subscription.unsubscribe();
      await source.close();
      await done;
      await publisher.flush(2000);
      publisher.close();
    },
  };
}

/** What one reply may take: the NATS server's max_payload, less room for the message's headers. */
function replyLimit(nc: NatsConnection): number {
  return (nc.info?.max_payload ?? 1024 * 1024) - 1024;
}

async function respond(message: Msg, handle: (body: any) => Promise<unknown>, maxBytes: number): Promise<void> {
  let text: string;
  try {
    const body = message.data.length > 0 ? message.json() : {};
    const result = await handle(body);
    text = result instanceof EncodedReply ? result.text : JSON.stringify({ ok: true, result } satisfies RpcReply<unknown>);
  } catch (error) {
    const reply: RpcReply<unknown> =
      error instanceof MonitorError
        ? { ok: false, error: { code: error.code, message: error.message, details: error.details } }
        : { ok: false, error: { code: 'INTERNAL_ERROR', message: String(error) } };
    text = JSON.stringify(reply);
  }
  // Too large for the bus (NATS would refuse it and the requester would only time out): say so.
  if (overBytes(text, maxBytes)) {
    const error = { code: 'INTERNAL_ERROR', message: `the reply is larger than the NATS server's max_payload (${maxBytes} bytes)` };
    text = JSON.stringify({ ok: false, error } satisfies RpcReply<unknown>);
  }
  try {
    message.respond(text);
  } catch {
    // The requester is gone or the bus is away: it times out on its side.
  }
}

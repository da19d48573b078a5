/**
 * Puts NATS JetStream under the hub (docs/scaling.md). Given a connection (made by the
 * CLI with the Node transport, which Bun and Deno run as well), `startBusServer` gives a
 * `serve` instance its EventLog and EventSource, and `startBusAgent` runs a host's agent.
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventSource } from '../protocol/source.ts';
import { startAgent, type RunningAgent } from './agent.ts';
import { BusSource } from './bus-source.ts';
import { HostRegistry } from './hosts.ts';
import { Publisher } from './publisher.ts';
import { ensureStream, type StreamHandle } from './stream.ts';
import { StreamLog } from './stream-log.ts';
import { isValidPrefix } from './subjects.ts';

export { DuplicateHostError } from './agent.ts';
export { StreamConfigError } from './stream.ts';
export { isValidPrefix } from './subjects.ts';

export type BusLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface BusSettings {
  prefix: string;
  stream: string;
  /** This machine's host name (events it adds, and its agent if it runs one). */
  host: string;
  historySize?: number;
  historyTtlMs?: number;
  /** Most events an agent holds while the bus is away (default 10 000). */
  queueSize?: number;
  log?: BusLog;
}

export { BUS_DEFAULTS } from './defaults.ts';

export interface BusServer {
  stream: StreamHandle;
  eventLog: StreamLog;
  source: BusSource;
  hosts: HostRegistry;
  /** The in-process agent, when this server publishes its own tmux too. */
  agent?: RunningAgent;
  metrics(): string;
  /** Told when this server's own link to NATS drops (false) and comes back (true). */
  onStatus(listener: (connected: boolean) => void): void;
  close(): Promise<void>;
}

/** The parts of a `serve --nats` instance; `localSource` is published as `settings.host` when given. */
export async function startBusServer(nc: NatsConnection, settings: BusSettings, localSource?: EventSource): Promise<BusServer> {
  checkPrefix(settings.prefix);
  const stream = await ensureStream(nc, {
    name: settings.stream,
    prefix: settings.prefix,
    historySize: settings.historySize,
    historyTtlMs: settings.historyTtlMs,
  });
  const js = jetstream(nc);
  const idPrefix = `${settings.host}:${crypto.randomUUID().slice(0, 8)}`;
  const publisher = new Publisher(js, {
    idPrefix,
    maxQueue: settings.queueSize,
    onError: (e) => settings.log?.('warn', 'publish failed', { error: String(e) }),
  });
  const hosts = new HostRegistry(nc, settings.prefix, publisher);
  const source = new BusSource(nc, settings.prefix, hosts);
  const eventLog = new StreamLog({
    nc,
    stream,
    prefix: settings.prefix,
    host: settings.host,
    publisher,
    onEvents: (batch) => hosts.observe(batch),
    log: (message, fields) => settings.log?.('warn', message, fields),
  });
  hosts.start();
  // Learn which hosts are there before serving anyone.
  await hosts.discover(300);
  let agent: RunningAgent | undefined;
  if (localSource) {
    const agentPublisher = new Publisher(js, { idPrefix: `${idPrefix}:a`, maxQueue: settings.queueSize });
    agent = await startAgent({
      nc,
      prefix: settings.prefix,
      host: settings.host,
      source: localSource,
      publisher: agentPublisher,
      log: settings.log,
    });
  }
  const statusListeners = new Set<(connected: boolean) => void>();
  const stopWatching = watchStatus(nc, (connected) => {
    for (const listener of statusListeners) listener(connected);
    source.connected = connected;
    publisher.setConnected(connected);
    hosts.setConnected(connected);
    agent?.setConnected(connected);
    if (connected) void eventLog.restart();
    settings.log?.(connected ? 'info' : 'warn', connected ? 'bus reconnected' : 'bus disconnected');
  });
  return {
    stream,
    eventLog,
    source,
    hosts,
    agent,
    onStatus(listener) {
      statusListeners.add(listener);
    },
    metrics: () =>
      hosts.metrics() +
      '# HELP tmux_monitor_bus_connected 1 when this server is connected to NATS.\n# TYPE tmux_monitor_bus_connected gauge\n' +
      `tmux_monitor_bus_connected ${source.connected ? 1 : 0}\n` +
      '# HELP tmux_monitor_bus_dropped_total Events this server dropped because the bus was away too long.\n# TYPE tmux_monitor_bus_dropped_total counter\n' +
      `tmux_monitor_bus_dropped_total ${publisher.dropped + (agent ? agent.dropped : 0)}\n`,
    async close() {
      stopWatching();
      await agent?.close();
      hosts.close();
      eventLog.close();
      await publisher.flush(1000);
      publisher.close();
    },
  };
}

export interface BusAgent {
  stream: StreamHandle;
  agent: RunningAgent;
  close(): Promise<void>;
}

/** A host's agent (`tmux-monitor agent`): publishes `source` as `settings.host`. */
export async function startBusAgent(nc: NatsConnection, settings: BusSettings, source: EventSource): Promise<BusAgent> {
  checkPrefix(settings.prefix);
  const stream = await ensureStream(nc, {
    name: settings.stream,
    prefix: settings.prefix,
    historySize: settings.historySize,
    historyTtlMs: settings.historyTtlMs,
  });
  const publisher = new Publisher(jetstream(nc), {
    idPrefix: `${settings.host}:${crypto.randomUUID().slice(0, 8)}`,
    maxQueue: settings.queueSize,
    onError: (e) => settings.log?.('warn', 'publish failed', { error: String(e) }),
  });
  const agent = await startAgent({ nc, prefix: settings.prefix, host: settings.host, source, publisher, log: settings.log });
  const stopWatching = watchStatus(nc, (connected) => {
    agent.setConnected(connected);
    settings.log?.(connected ? 'info' : 'warn', connected ? 'bus reconnected' : 'bus disconnected; buffering events');
  });
  return {
    stream,
    agent,
    async close() {
      stopWatching();
      await agent.close();
    },
  };
}

function checkPrefix(prefix: string): void {
  if (!isValidPrefix(prefix)) throw new Error(`--nats-prefix must be dot-separated words of letters, digits, _ and -, not "${prefix}"`);
}

/** Calls `change(false)` when the connection drops and `change(true)` when it is back. */
function watchStatus(nc: NatsConnection, change: (connected: boolean) => void): () => void {
  let stopped = false;
  void (async () => {
    for await (const status of nc.status()) {
      if (stopped) break;
      if (status.type === 'disconnect') change(false);
      else if (status.type === 'reconnect') change(true);
    }
  })();
  return () => {
    stopped = true;
  };
}

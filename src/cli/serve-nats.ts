/**
 * `serve --nats URL`: connects to the bus and gives the server its stream-backed
 * EventLog and the bus source (snapshots and commands by request/reply to each host).
 * Kept apart from serve.ts so the NATS client is loaded only when asked for.
 */
import type { EventSource } from '../protocol/source.ts';
import type { EventLog } from '../hub/event-log.ts';
import { stringFlag, UsageError, type FlagSpec, type ParsedFlags } from './args.ts';
import { NATS_FLAGS } from './nats-flags.ts';
import type { Platform } from './platform.ts';

export const SERVE_NATS_FLAGS: FlagSpec[] = [
  ...NATS_FLAGS,
  {
    name: 'nats-host',
    type: 'string',
    placeholder: 'NAME',
    help: "with --nats and --source: this machine's host name on the bus (default: its hostname)",
  },
];

export interface ServeBus {
  source: EventSource;
  eventLog: EventLog;
  history: { size: number; ttlMs: number };
  metrics: () => string;
  /** This server's host name on the bus. */
  host: string;
  describe: string;
  /** Told when this server's own link to NATS drops (false) and comes back (true). */
  onStatus(listener: (connected: boolean) => void): void;
  close(): Promise<void>;
}

export async function startServeBus(flags: ParsedFlags, platform: Platform, localSource: EventSource): Promise<ServeBus | undefined> {
  if (flags.nats === undefined) {
    if (flags['nats-host'] !== undefined) throw new UsageError('flag --nats-host needs --nats');
    return undefined;
  }
  const { hostname } = await import('node:os');
  const { natsFromFlags, connectNats } = await import('./nats.ts');
  const { startBusServer } = await import('../bus/index.ts');
  const host = stringFlag(flags, 'nats-host') ?? hostname();
  const nats = natsFromFlags(flags, host, 'serve')!;
  const publishLocal = flags.source !== undefined && flags.source !== 'none';
  const log = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (level !== 'info') platform.stderr(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }) + '\n');
  };
  const nc = await connectNats(nats.connect, platform);
  let bus: Awaited<ReturnType<typeof startBusServer>>;
  try {
    bus = await startBusServer(nc, { ...nats.bus, log }, publishLocal ? localSource : undefined);
  } catch (error) {
    await nc.close();
    throw error;
  }
  if (!publishLocal) void localSource.close();
  return {
    source: bus.source,
    eventLog: bus.eventLog,
    history: { size: bus.stream.historySize, ttlMs: bus.stream.historyTtlMs },
    metrics: bus.metrics,
    host,
    onStatus: (listener) => bus.onStatus(listener),
    describe: `NATS ${nats.connect.servers.join(',')} (stream ${bus.stream.name}${publishLocal ? `, publishing this tmux as "${host}"` : ''})`,
    async close() {
      await bus.close();
      await nc.drain().catch(() => {});
    },
  };
}

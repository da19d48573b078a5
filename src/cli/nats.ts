/**
 * The NATS flags shared by `serve` and `agent`, and the connection itself. The Node
 * transport (`@nats-io/transport-node`) is used on all three runtimes: Bun and Deno run
 * it through their Node compatibility, checked in test/bus/.
 */
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import type { BusSettings } from '../bus/index.ts';
import { BUS_DEFAULTS } from '../bus/defaults.ts';
import { DEFAULTS } from '../monitor.ts';
import { intFlag, stringFlag, UsageError, type ParsedFlags } from './args.ts';
import { NATS_FLAGS } from './nats-flags.ts';
import type { Platform } from './platform.ts';

export { NATS_FLAGS };

export interface NatsConnectSettings {
  servers: string[];
  creds?: string;
  user?: string;
  password?: string;
  token?: string;
  tlsCa?: string;
  name: string;
}

/** Reads the NATS flags; undefined when `--nats` is not given. */
export function natsFromFlags(
  flags: ParsedFlags,
  host: string,
  role: 'agent' | 'serve',
): { connect: NatsConnectSettings; bus: BusSettings } | undefined {
  const url = stringFlag(flags, 'nats');
  const others = NATS_FLAGS.map((f) => f.name).filter((name) => name !== 'nats' && flags[name] !== undefined);
  if (url === undefined) {
    if (others.length > 0) throw new UsageError(`flag --${others[0]} needs --nats`);
    return undefined;
  }
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) throw new UsageError('flag --nats needs a URL');
  const user = stringFlag(flags, 'nats-user');
  const password = stringFlag(flags, 'nats-password');
  if ((user === undefined) !== (password === undefined)) throw new UsageError('flags --nats-user and --nats-password go together');
  const ways = [flags['nats-creds'], user, flags['nats-token']].filter((v) => v !== undefined).length;
  if (ways > 1) throw new UsageError('give one of --nats-creds, --nats-user/--nats-password, --nats-token');
  const ttl = flags['history-ttl'];
  return {
    connect: {
      servers,
      creds: stringFlag(flags, 'nats-creds'),
      user,
      password,
      token: stringFlag(flags, 'nats-token'),
      tlsCa: stringFlag(flags, 'nats-tls-ca'),
      name: `tmux-monitor ${role} ${host}`,
    },
    bus: {
      prefix: stringFlag(flags, 'nats-prefix') ?? BUS_DEFAULTS.prefix,
      stream: stringFlag(flags, 'nats-stream') ?? BUS_DEFAULTS.stream,
      host,
      // Given only when asked for: otherwise the stream's own limits apply.
      historySize: flags['history-size'] === undefined ? undefined : intFlag(flags, 'history-size', DEFAULTS.historySize, 1, 100_000_000),
      historyTtlMs: ttl === undefined ? undefined : intFlag(flags, 'history-ttl', 300, 0, 365 * 86_400) * 1000,
      queueSize: intFlag(flags, 'nats-queue', BUS_DEFAULTS.queueSize, 1, 10_000_000),
    },
  };
}

/** Connects; reconnects for ever afterwards. Fails at once when the first connect fails. */
export async function connectNats(settings: NatsConnectSettings, platform: Platform): Promise<NatsConnection> {
  const options: ConnectionOptions = {
    servers: settings.servers,
    name: settings.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: 10_000,
  };
  if (settings.creds !== undefined) {
    options.authenticator = credsAuthenticator(new TextEncoder().encode(await platform.readTextFile(settings.creds)));
  }
  if (settings.user !== undefined) {
    options.user = settings.user;
    options.pass = settings.password;
  }
  if (settings.token !== undefined) options.token = settings.token;
  if (settings.tlsCa !== undefined) options.tls = { ca: await platform.readTextFile(settings.tlsCa) };
  try {
    return await connect(options);
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${settings.servers.join(', ')}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

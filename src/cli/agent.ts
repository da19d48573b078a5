/**
 * `tmux-monitor agent --nats URL [--host NAME] [-L NAME | -S PATH]`: watches this
 * machine's tmux and publishes it to the bus under its host name; answers snapshot and
 * command requests for that host. No HTTP listener: clients connect to `serve --nats`.
 */
import { hostname } from 'node:os';
import { startBusAgent } from '../bus/index.ts';
import { helpText, intFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from './args.ts';
import { connectNats, NATS_FLAGS, natsFromFlags } from './nats.ts';
import type { Platform } from './platform.ts';
import { createSource } from './sources.ts';

const FLAGS: FlagSpec[] = [
  ...NATS_FLAGS,
  { name: 'host', type: 'string', placeholder: 'NAME', help: "this machine's name on the bus (default: its hostname); unique per bus" },
  { name: 'socket-name', alias: 'L', type: 'string', placeholder: 'NAME', help: 'tmux server socket name, as tmux -L' },
  { name: 'socket-path', alias: 'S', type: 'string', placeholder: 'PATH', help: 'tmux server socket path, as tmux -S' },
  {
    name: 'source',
    type: 'string',
    placeholder: 'KIND',
    help: 'tmux (control mode, default), poll (tmux < 3.2) or stdin (JSON Lines of events)',
  },
  { name: 'poll-interval', type: 'string', placeholder: 'MS', help: 'polling interval for --source poll (default 500)' },
  { name: 'history-size', type: 'string', placeholder: 'N', help: 'events the stream holds, when creating it (default 1000)' },
  { name: 'history-ttl', type: 'string', placeholder: 'SECONDS', help: 'oldest event the stream holds, when creating it (default 300)' },
  { name: 'quiet', alias: 'q', type: 'boolean', help: 'print only the ready line' },
  { name: 'help', alias: 'h', type: 'boolean', help: 'show this help' },
];

export const agentHelp = helpText(
  'tmux-monitor agent --nats URL [--host NAME] [-L NAME | -S PATH] [options]',
  "Publish this machine's tmux to a NATS JetStream bus, for `tmux-monitor serve --nats` to serve.",
  FLAGS,
);

export async function agentCommand(argv: string[], platform: Platform): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  if (flags.help) {
    platform.stdout(agentHelp);
    return 0;
  }
  if (flags['socket-name'] !== undefined && flags['socket-path'] !== undefined) {
    throw new UsageError('flags -L/--socket-name and -S/--socket-path are exclusive');
  }
  const host = stringFlag(flags, 'host') ?? hostname();
  if (host.trim() === '' || host.length > 256) throw new UsageError('flag --host must be a name of 1 to 256 characters');
  const nats = natsFromFlags(flags, host, 'agent');
  if (!nats) throw new UsageError('the agent needs --nats URL');
  const kind = stringFlag(flags, 'source') ?? 'tmux';
  if (kind !== 'tmux' && kind !== 'poll' && kind !== 'stdin')
    throw new UsageError(`flag --source must be tmux, poll or stdin, not "${kind}"`);
  const log = (level: string, message: string, fields?: Record<string, unknown>) => {
    platform.stderr(JSON.stringify({ time: new Date().toISOString(), level, message, host, ...fields }) + '\n');
  };

  const nc = await connectNats(nats.connect, platform);
  const source = createSource(kind, {
    socketName: stringFlag(flags, 'socket-name'),
    socketPath: stringFlag(flags, 'socket-path'),
    pollIntervalMs: intFlag(flags, 'poll-interval', 500, 50, 60_000),
    stdinLines: () => platform.stdinLines(),
    warn: (message) => log('warn', message),
  });
  let running: Awaited<ReturnType<typeof startBusAgent>>;
  try {
    running = await startBusAgent(nc, { ...nats.bus, log }, source);
  } catch (error) {
    await source.close();
    await nc.close();
    throw error;
  }
  platform.stdout(`tmux-monitor agent "${host}" publishing to ${nats.connect.servers.join(',')} (stream ${running.stream.name})\n`);
  if (!flags.quiet) platform.stdout(`  serve it with: tmux-monitor serve --nats ${nats.connect.servers.join(',')}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) platform.exit(0);
    stopping = true;
    setTimeout(() => platform.exit(0), 2900);
    await running.close();
    await nc.drain().catch(() => {});
    platform.exit(0);
  };
  platform.onShutdownSignal(() => void stop());
  // The tmux source ends only when closed; if it fails, the agent reported it and keeps serving RPCs.
  return new Promise<number>(() => {});
}

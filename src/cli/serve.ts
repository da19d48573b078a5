/** `tmux-monitor serve`: the standalone server. */
import { Hono } from 'hono';
import { createMonitor, DEFAULTS } from '../monitor.ts';
import { signToken } from '../auth/signer.ts';
import type { VerifierOptions } from '../auth/verifier.ts';
import { helpText, intFlag, listFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from './args.ts';
import type { Platform } from './platform.ts';
import { loadSecret } from './secret.ts';
import { createSource, SOURCE_KINDS, type SourceKind } from './sources.ts';
import { machineName } from '../runtime/hostname.ts';
import { startServeBus, SERVE_NATS_FLAGS, type ServeBus } from './serve-nats.ts';
import { ATTENTION_FLAGS, attentionOptions, prepareAttentionOutputs, type AttentionOutputs } from './attention.ts';
import { settledWithin } from '../time-limit.ts';

const FLAGS: FlagSpec[] = [
  { name: 'host', type: 'string', placeholder: 'ADDR', help: 'address to listen on (default 127.0.0.1)' },
  { name: 'port', type: 'string', placeholder: 'PORT', help: 'port (default 8765; 0 picks a free one)' },
  { name: 'socket-name', alias: 'L', type: 'string', placeholder: 'NAME', help: 'tmux server socket name, as tmux -L' },
  { name: 'socket-path', alias: 'S', type: 'string', placeholder: 'PATH', help: 'tmux server socket path, as tmux -S' },
  {
    name: 'source',
    type: 'string',
    placeholder: 'KIND',
    help: 'tmux (control mode, default), poll (tmux < 3.2), stdin (JSON Lines of events), or none',
  },
  { name: 'poll-interval', type: 'string', placeholder: 'MS', help: 'polling interval for --source poll (default 500)' },
  { name: 'history-size', type: 'string', placeholder: 'N', help: 'events held for resume (default 1000)' },
  { name: 'history-ttl', type: 'string', placeholder: 'SECONDS', help: 'oldest event held for resume (default 300)' },
  { name: 'max-connections', type: 'string', placeholder: 'N', help: 'connections at once (default 100)' },
  { name: 'rate-limit', type: 'string', placeholder: 'N', help: 'inbound messages per second per connection (default 100)' },
  { name: 'auth-timeout', type: 'string', placeholder: 'MS', help: 'time allowed for auth after connecting (default 10000)' },
  { name: 'send-buffer', type: 'string', placeholder: 'BYTES', help: 'send buffer limit per connection (default 1048576)' },
  {
    name: 'slow-reader-grace',
    type: 'string',
    placeholder: 'MS',
    help: 'time a reader may stay over half the send buffer (default 10000)',
  },
  { name: 'heartbeat', type: 'string', placeholder: 'MS', help: 'WebSocket ping interval (default 25000)' },
  { name: 'heartbeat-timeout', type: 'string', placeholder: 'MS', help: 'time allowed to answer a ping (default 10000)' },
  { name: 'base-path', type: 'string', placeholder: 'PATH', help: 'serve under this path, e.g. /tmux behind a proxy (default none)' },
  { name: 'secret-file', type: 'string', placeholder: 'FILE', help: 'HS256 secret file (default $XDG_CONFIG_HOME/tmux-monitor/secret)' },
  { name: 'jwks-url', type: 'string', placeholder: 'URL', help: 'also accept RS256/ES256/EdDSA tokens signed by these keys' },
  { name: 'issuer', type: 'string', placeholder: 'ISS', help: 'required iss claim' },
  { name: 'audience', type: 'string', placeholder: 'AUD', help: 'required aud claim' },
  { name: 'allow-no-expiry', type: 'boolean', help: 'accept tokens without exp' },
  { name: 'no-auth', type: 'boolean', help: 'turn auth off (loopback addresses only)' },
  {
    name: 'allowed-origins',
    type: 'string',
    placeholder: 'A,B',
    help: 'browser origins allowed to connect (default any; own origin only with --no-auth)',
  },
  {
    name: 'public-host',
    type: 'string',
    placeholder: 'NAME',
    repeatable: true,
    help: 'a Host name clients use to reach the server (repeat or A,B; loopback names and IPs always work)',
  },
  { name: 'audit-log', type: 'string', placeholder: 'FILE', help: 'append an audit trail as JSON Lines' },
  { name: 'tls-cert', type: 'string', placeholder: 'FILE', help: 'PEM certificate, for wss://' },
  { name: 'tls-key', type: 'string', placeholder: 'FILE', help: 'PEM private key, for wss://' },
  ...SERVE_NATS_FLAGS,
  ...ATTENTION_FLAGS,
  { name: 'quiet', alias: 'q', type: 'boolean', help: 'print only the listening line' },
  { name: 'help', alias: 'h', type: 'boolean', help: 'show this help' },
];

export const serveHelp = helpText(
  'tmux-monitor serve [options]',
  'Watch a tmux server through control mode and stream its changes over WebSocket.',
  FLAGS,
);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export async function serveCommand(argv: string[], platform: Platform): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  if (flags.help) {
    platform.stdout(serveHelp);
    return 0;
  }
  const host = stringFlag(flags, 'host') ?? '127.0.0.1';
  const port = intFlag(flags, 'port', 8765, 0, 65535);
  const noAuth = flags['no-auth'] === true;
  if (noAuth && !isLoopback(host)) {
    throw new UsageError(
      `refusing to listen on non-loopback address ${host} with --no-auth: anyone who can reach it could read and type into your panes`,
    );
  }
  if (flags['socket-name'] !== undefined && flags['socket-path'] !== undefined) {
    throw new UsageError('flags -L/--socket-name and -S/--socket-path are exclusive');
  }
  const sourceKind = (stringFlag(flags, 'source') ?? 'tmux') as SourceKind;
  if (!SOURCE_KINDS.includes(sourceKind)) throw new UsageError(`flag --source must be ${SOURCE_KINDS.join(', ')}, not "${sourceKind}"`);
  const basePath = stringFlag(flags, 'base-path')?.replace(/\/+$/, '') ?? '';
  if (basePath !== '' && !/^(\/[\w.~-]+)+$/.test(basePath))
    throw new UsageError(`flag --base-path must be a path like /tmux, not "${basePath}"`);
  const tlsCertFile = stringFlag(flags, 'tls-cert');
  const tlsKeyFile = stringFlag(flags, 'tls-key');
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) throw new UsageError('flags --tls-cert and --tls-key go together');

  const limits = {
    historySize: intFlag(flags, 'history-size', DEFAULTS.historySize, 0, 1_000_000),
    historyTtlSec: intFlag(flags, 'history-ttl', DEFAULTS.historyTtlMs / 1000, 0, 86_400),
    maxConnections: intFlag(flags, 'max-connections', DEFAULTS.maxConnections, 1, 1_000_000),
    rateLimit: intFlag(flags, 'rate-limit', DEFAULTS.ratePerSecond, 1, 1_000_000),
    authTimeoutMs: intFlag(flags, 'auth-timeout', DEFAULTS.authTimeoutMs, 100, 3_600_000),
    sendBuffer: intFlag(flags, 'send-buffer', DEFAULTS.sendBufferLimit, 1024, 1 << 30),
    slowReaderGraceMs: intFlag(flags, 'slow-reader-grace', DEFAULTS.slowReaderGraceMs, 0, 3_600_000),
    heartbeatMs: intFlag(flags, 'heartbeat', 25_000, 100, 3_600_000),
    heartbeatTimeoutMs: intFlag(flags, 'heartbeat-timeout', 10_000, 100, 3_600_000),
    pollIntervalMs: intFlag(flags, 'poll-interval', 500, 50, 60_000),
  };

  const secretFile = stringFlag(flags, 'secret-file');
  const secret = await loadSecret(platform, secretFile);
  const auth: VerifierOptions | false = noAuth
    ? false
    : {
        secret,
        jwksUrl: stringFlag(flags, 'jwks-url'),
        issuer: stringFlag(flags, 'issuer'),
        audience: stringFlag(flags, 'audience'),
        allowNoExpiry: flags['allow-no-expiry'] === true,
      };
  const tls =
    tlsCertFile && tlsKeyFile
      ? { cert: await platform.readTextFile(tlsCertFile), key: await platform.readTextFile(tlsKeyFile) }
      : undefined;
  const auditPath = stringFlag(flags, 'audit-log');
  const auditFile = auditPath ? await platform.openAppend(auditPath) : undefined;

  const attention = attentionOptions(flags);
  const startOutputs = await prepareAttentionOutputs(flags, platform);
  let outputs: AttentionOutputs | undefined;
  let dashboardUrl: string | null = null;
  const localSource = createSource(sourceKind, {
    socketName: stringFlag(flags, 'socket-name'),
    socketPath: stringFlag(flags, 'socket-path'),
    pollIntervalMs: limits.pollIntervalMs,
    stdinLines: () => platform.stdinLines(),
    warn: (message) => platform.stderr(`tmux-monitor: ${message}\n`),
  });
  // With --nats, clients are served from the bus; this machine's tmux is published too only with an explicit --source.
  const bus: ServeBus | undefined = await startServeBus(flags, platform, localSource);
  const source = bus?.source ?? localSource;

  let monitor: ReturnType<typeof createMonitor> | undefined;
  const server = await platform.runtime.serve(
    (kit) => {
      monitor = createMonitor({
        websocket: kit,
        source,
        auth,
        history: bus?.history ?? { size: limits.historySize, ttlMs: limits.historyTtlSec * 1000 },
        eventLog: bus?.eventLog,
        metrics: bus?.metrics,
        host: bus?.host,
        maxConnections: limits.maxConnections,
        rateLimit: { perSecond: limits.rateLimit, burst: limits.rateLimit },
        authTimeoutMs: limits.authTimeoutMs,
        sendBufferLimit: limits.sendBuffer,
        slowReaderGraceMs: limits.slowReaderGraceMs,
        allowedOrigins: listFlag(flags, 'allowed-origins'),
        // The Host names answered: the bind address and the public names (loopback names and IPs always).
        allowedHosts: [host, ...(listFlag(flags, 'public-host') ?? [])],
        audit: auditFile ? (record) => auditFile.write(JSON.stringify(record) + '\n') : undefined,
        attention: attention,
      });
      // The bus carries every event; when this server's own link to it drops, nothing says
      // so in the stream (it cannot reach it): each subscribed client is told directly.
      bus?.onStatus((connected) => {
        monitor?.hub.notice({
          type: 'system.source',
          host: bus.host,
          timestamp: new Date().toISOString(),
          data: connected
            ? { state: 'connected', message: 'this server is back on the NATS bus' }
            : { state: 'disconnected', message: 'this server lost the NATS bus; events resume (and are replayed) when it is back' },
        });
      });
      outputs = startOutputs(monitor, {
        tmux:
          sourceKind === 'tmux'
            ? {
                socketName: stringFlag(flags, 'socket-name'),
                socketPath: stringFlag(flags, 'socket-path'),
                host: bus?.host ?? machineName(),
              }
            : undefined,
        dashboardUrl: () => dashboardUrl,
      });
      if (basePath === '') return monitor;
      const root = new Hono();
      root.route(basePath, monitor);
      return root;
    },
    {
      host,
      port,
      tls,
      maxFrameBytes: DEFAULTS.maxFrameBytes,
      sendBufferLimit: limits.sendBuffer,
      heartbeatMs: limits.heartbeatMs,
      heartbeatTimeoutMs: limits.heartbeatTimeoutMs,
    },
  );

  // The listening line says the server is ready, so it waits for the first attach to tmux
  // to end (attached, or tmux found absent; at most 5 s). A script that waits for the line
  // and then makes a session at once would otherwise do it while the monitor's control
  // clients identify themselves, which crashes tmux 3.3a's server (docs/tmux-source.md).
  await settledWithin(localSource.settled?.(), 5000);

  const scheme = tls ? 'wss' : 'ws';
  const hostInUrl = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const base = `${scheme}://${hostInUrl}:${server.port}${basePath}`;
  platform.stdout(`tmux-monitor listening on ${base}/monitor\n`);
  if (!flags.quiet) {
    const tmuxTarget = sourceKind === 'none' ? 'no tmux source' : describeTmux(flags);
    const sourceLine = bus ? bus.describe : `${sourceKind} (${tmuxTarget})`;
    platform.stdout(`  source: ${sourceLine}, runtime: ${platform.runtime.name}, auth: ${noAuth ? 'off' : 'on'}\n`);
    if (isLoopback(host)) {
      const httpBase = `${tls ? 'https' : 'http'}://${hostInUrl}:${server.port}${basePath}`;
      if (noAuth) {
        platform.stdout(`  dashboard: ${httpBase}/\n`);
      } else {
        const token = await signToken(secret, { sub: 'admin', role: 'admin', ttlSec: 24 * 3600 });
        platform.stdout(`  admin token (24 h): ${token}\n`);
        platform.stdout(`  dashboard: ${httpBase}/#token=${token}\n`);
      }
    }
  }

  dashboardUrl = `${tls ? 'https' : 'http'}://${hostInUrl}:${server.port}${basePath}/`;

  let stopping = false;
  platform.onShutdownSignal(async () => {
    if (stopping) platform.exit(0);
    stopping = true;
    // Whatever happens below, be gone within 2 s.
    setTimeout(() => platform.exit(0), 1900);
    await outputs?.close();
    await monitor?.shutdown();
    await bus?.close();
    await server.close();
    await auditFile?.close();
    platform.exit(0);
  });
  return new Promise<number>(() => {});
}

function describeTmux(flags: Record<string, unknown>): string {
  if (typeof flags['socket-name'] === 'string') return `tmux -L ${flags['socket-name']}`;
  if (typeof flags['socket-path'] === 'string') return `tmux -S ${flags['socket-path']}`;
  return 'default tmux server';
}

/**
 * `createMonitor()`: the tmux-monitor server as a Hono app. The runtime's WebSocket
 * upgrade is injected, so this file (and everything it imports) runs on Node, Bun and
 * Deno alike, standalone or mounted in another app with `app.route('/tmux', monitor)`.
 */
import { Hono, type Context } from 'hono';
import type { EventSource } from './protocol/source.ts';
import type { EventLog } from './hub/event-log.ts';
import { machineName } from './runtime/hostname.ts';
import { withHost } from './hub/host-source.ts';
import { clientMessageJsonSchema } from './protocol/json-schema.ts';
import { createVerifier, type VerifierOptions } from './auth/verifier.ts';
import type { AuditSink } from './hub/audit.ts';
import { Connection } from './hub/connection.ts';
import { Hub, type HubOptions, type Logger } from './hub/hub.ts';
import { mountDashboard } from './dashboard/index.ts';
import { createAttention, type AttentionOptions, type AttentionService } from './attention/service.ts';
import { isWebSocketUpgrade, type Peer, type PeerHandlers, type WebSocketKit } from './runtime/websocket.ts';
import { createHostCheck, sameOrigin } from './security/host-check.ts';
import { honoWebSocketKit } from './runtime/hono-websocket.ts';
import type { UpgradeWebSocket } from 'hono/ws';

export interface MonitorOptions {
  /**
   * The runtime's WebSocket kit: `createNodeWebSocket()`, `createBunWebSocket()` or `createDenoWebSocket()`.
   * Exactly one of this and `upgradeWebSocket`.
   */
  websocket?: WebSocketKit;
  /**
   * Or one of Hono's own helpers (@hono/node-ws's `createNodeWebSocket({ app }).upgradeWebSocket`,
   * `hono/bun`, `hono/deno`), wrapped by `honoWebSocketKit` (docs/embedding.md: what that path lacks).
   */
  upgradeWebSocket?: UpgradeWebSocket<any, any, any>;
  /** Where events come from: the tmux source, or `createMemorySource()`. */
  source: EventSource;
  /** Token verification, or `false` to turn auth off (loopback use only). */
  auth: VerifierOptions | false;
  history?: { size?: number; ttlMs?: number };
  maxConnections?: number;
  rateLimit?: { perSecond?: number; burst?: number; maxViolations?: number; violationWindowMs?: number };
  failedAuth?: { limit?: number; windowMs?: number };
  authTimeoutMs?: number;
  maxFrameBytes?: number;
  sendBufferLimit?: number;
  slowReaderGraceMs?: number;
  /**
   * Browser origins allowed to connect besides the server's own. Unset: any origin while auth
   * is on (tokens, not cookies, authorize); with auth off, only the server's own origin.
   */
  allowedOrigins?: string[];
  /**
   * `Host` names answered besides loopback names (`localhost`, `*.localhost`) and IP
   * literals: the names the server is reached by (its public name behind DNS). Any other
   * `Host` gets 421, so DNS rebinding reaches nothing. `['*']` turns the check off.
   */
  allowedHosts?: string[];
  audit?: AuditSink;
  log?: Logger;
  /** Serve the dashboard at `GET /` (default true). */
  dashboard?: boolean;
  /** The `host` on events and snapshot sessions that name none (default: this machine's name). */
  host?: string;
  /** Sequence, epoch and stamped events from elsewhere (a NATS stream, `src/bus/`); default in memory. */
  eventLog?: EventLog;
  /** More Prometheus text appended to `GET /metrics` (the bus adds its own). */
  metrics?: () => string;
  /** v1.1 attention (`agent.attention`, `ack`): its options, or false to turn it off. */
  attention?: AttentionOptions | false;
}

export type Monitor = Hono & {
  readonly hub: Hub;
  /** Which panes need a person (undefined when turned off). */
  readonly attention: AttentionService | undefined;
  /** Close every client with 1001 and stop the source. */
  shutdown(): Promise<void>;
};

export const DEFAULTS = {
  historySize: 1000,
  historyTtlMs: 300_000,
  maxConnections: 100,
  ratePerSecond: 100,
  rateBurst: 100,
  authTimeoutMs: 10_000,
  maxFrameBytes: 64 * 1024,
  sendBufferLimit: 1024 * 1024,
  slowReaderGraceMs: 10_000,
} as const;

const defaultLogger: Logger = (level, message, fields) => {
  if (level === 'debug') return;
  console.error(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
};

export function createMonitor(monitorOptions: MonitorOptions): Monitor {
  const options = { ...monitorOptions, websocket: websocketKit(monitorOptions) };
  const hubOptions: HubOptions = {
    verifier: options.auth === false ? null : createVerifier(options.auth),
    authTimeoutMs: options.authTimeoutMs ?? DEFAULTS.authTimeoutMs,
    maxFrameBytes: options.maxFrameBytes ?? options.websocket.options.maxFrameBytes,
    maxConnections: options.maxConnections ?? DEFAULTS.maxConnections,
    sendBufferLimit: options.sendBufferLimit ?? options.websocket.options.sendBufferLimit,
    slowReaderGraceMs: options.slowReaderGraceMs ?? DEFAULTS.slowReaderGraceMs,
    rateLimit: {
      perSecond: options.rateLimit?.perSecond ?? DEFAULTS.ratePerSecond,
      burst: options.rateLimit?.burst ?? options.rateLimit?.perSecond ?? DEFAULTS.rateBurst,
      maxViolations: options.rateLimit?.maxViolations ?? 10,
      violationWindowMs: options.rateLimit?.violationWindowMs ?? 10_000,
    },
    failedAuth: { limit: options.failedAuth?.limit ?? 10, windowMs: options.failedAuth?.windowMs ?? 60_000 },
    history: { size: options.history?.size ?? DEFAULTS.historySize, ttlMs: options.history?.ttlMs ?? DEFAULTS.historyTtlMs },
    host: options.host ?? machineName(),
    eventLog: options.eventLog,
  };
  // A source from the bus knows its hosts; a local one gets this machine's name.
  const source = options.eventLog ? options.source : withHost(options.source, hubOptions.host!);
  const hub = new Hub(source, hubOptions, options.log ?? defaultLogger, options.audit);
  if (options.attention !== false) hub.attention = createAttention(hub, options.attention);
  void hub.start();

  const app = new Hono();
  const remoteOf = (c: Context) => options.websocket.remoteAddress(c) ?? 'unknown';
  /** A refused request: answered with `status` and recorded in the audit log. */
  const refuse = (c: Context, status: 403 | 421 | 503, error: string, message: string) => {
    hub.audit?.('rejected', { remote: remoteOf(c), status, code: error, reason: message, path: c.req.path });
    return c.json({ error, message }, status);
  };
  const hostAllowed = createHostCheck(options.allowedHosts);
  /** A Host this server does not answer to (DNS rebinding) is refused before anything else. */
  const misdirected = (c: Context): Response | undefined =>
    hostAllowed(c.req.header('host')) ? undefined : refuse(c, 421, 'MISDIRECTED', 'this server does not answer to that Host name');
  const handlers = (c: Context): PeerHandlers => new ConnectionHandlers(hub, remoteOf(c), bearerToken(c.req.header('authorization')));
  const upgrade = async (c: Context): Promise<Response> => {
    const refused = gate(c);
    if (refused) return refused;
    try {
      return await options.websocket.upgrade(c, handlers(c));
    } catch {
      return c.json({ error: 'UPGRADE_FAILED', message: 'WebSocket upgrade failed' }, 400);
    }
  };

  const gate = (c: Context): Response | undefined => {
    const wrongHost = misdirected(c);
    if (wrongHost) return wrongHost;
    const origin = c.req.header('origin');
    if (origin !== undefined && !originAllowed(origin, c.req.header('host'))) {
      return refuse(c, 403, 'FORBIDDEN', `origin ${origin.slice(0, 200)} is not allowed`);
    }
    if (hub.connectionCount >= hubOptions.maxConnections) {
      return refuse(c, 503, 'TOO_MANY_CONNECTIONS', `at most ${hubOptions.maxConnections} connections`);
    }
    return undefined;
  };

  // The server's own pages may always connect; others as listed, or any while tokens authorize.
  const originAllowed = (origin: string, host: string | undefined): boolean => {
    if (sameOrigin(origin, host) || options.allowedOrigins?.includes(origin)) return true;
    return options.allowedOrigins === undefined && options.auth !== false;
  };

  const isUpgrade = (c: Context) => isWebSocketUpgrade(c.req.header('upgrade'));

  // The WebSocket routes come first and check the Host themselves (in `gate`): a connection
  // then costs no middleware turn. Every route after them gets the check from `use`.
  app.get('/monitor', (c) => {
    if (isUpgrade(c)) return upgrade(c);
    return misdirected(c) ?? c.json({ error: 'UPGRADE_REQUIRED', message: 'connect with a WebSocket client' }, 426);
  });
  // Old clients connect with no path; a plain GET falls through to the dashboard (or 404).
  app.get('/', (c, next) => (isUpgrade(c) ? upgrade(c) : next()));
  app.use('*', async (c, next) => {
    const wrongHost = misdirected(c);
    if (wrongHost) return wrongHost;
    await next();
  });
  if (options.dashboard !== false) mountDashboard(app);
  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      uptime: Math.round((Date.now() - hub.startedAt) / 1000),
      clients: hub.connectionCount,
      seq: hub.eventLog.last,
      epoch: hub.epoch,
      host: hubOptions.host,
      source: hub.source.state,
    }),
  );
  app.get('/metrics', (c) =>
    c.text(
      hub.metrics.render({ seq: hub.eventLog.last, historySize: hub.history.size, sourceConnected: hub.source.state === 'connected' }) +
        (options.metrics?.() ?? ''),
      200,
      { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    ),
  );
  let schema: Record<string, unknown> | undefined;
  app.get('/schema.json', (c) => c.json((schema ??= clientMessageJsonSchema())));

  // A kit we made (around a Hono helper) is ours to stop; a given one is the host's.
  const shutdown = (): Promise<void> => {
    if (!monitorOptions.websocket) options.websocket.stop();
    return hub.shutdown();
  };
  return Object.assign(app, { hub, attention: hub.attention, shutdown });
}

/**
 * What the kit calls for one accepted upgrade: it makes the connection on open and passes it
 * what arrives. A class rather than three closures: 10,000 connections then hold no
 * function objects of their own.
 */
class ConnectionHandlers implements PeerHandlers {
  private connection: Connection | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly remote: string,
    private readonly headerToken: string | undefined,
  ) {}

  open(peer: Peer): void {
    const connection = new Connection(this.hub, peer, this.remote, this.headerToken);
    this.connection = connection;
    this.hub.add(connection);
    connection.open();
  }

  message(_peer: Peer, data: string | ArrayBuffer): void {
    this.connection?.receive(data);
  }

  close(_peer: Peer, code: number): void {
    this.connection?.closedBy(code);
  }
}

/** The kit given, or Hono's helper wrapped in one; exactly one of the two. */
function websocketKit(options: MonitorOptions): WebSocketKit {
  if (options.websocket && options.upgradeWebSocket) {
    throw new TypeError('createMonitor: pass either `websocket` (a kit) or `upgradeWebSocket` (a Hono helper), not both');
  }
  if (options.upgradeWebSocket) {
    return honoWebSocketKit(options.upgradeWebSocket, { maxFrameBytes: options.maxFrameBytes, sendBufferLimit: options.sendBufferLimit });
  }
  if (options.websocket) return options.websocket;
  throw new TypeError(
    'createMonitor: pass `websocket` (createNodeWebSocket(), createBunWebSocket() or createDenoWebSocket()) ' +
      'or `upgradeWebSocket` (a Hono helper)',
  );
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

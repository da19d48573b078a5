/**
 * `createMonitor()`: the tmux-monitor server as a Hono app. The runtime's WebSocket
 * upgrade is injected, so this file (and everything it imports) runs on Node, Bun and
 * Deno alike, standalone or mounted in another app with `app.route('/tmux', monitor)`.
 */
import { Hono, type Context } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { EventSource } from './protocol/source.ts';
import { clientMessageJsonSchema } from './protocol/json-schema.ts';
import { createVerifier, type VerifierOptions } from './auth/verifier.ts';
import type { AuditSink } from './hub/audit.ts';
import { Connection, type Transport } from './hub/connection.ts';
import { Hub, type HubOptions, type Logger } from './hub/hub.ts';
import { mountDashboard } from './dashboard/index.ts';
import { createHostCheck, sameOrigin } from './security/host-check.ts';

export interface MonitorOptions {
  /** The runtime's upgrade helper: `@hono/node-ws`, `hono/bun` or `hono/deno`. */
  upgradeWebSocket: UpgradeWebSocket<any, any>;
  /** Passed to `upgradeWebSocket` (Deno: `{ idleTimeout }` for its heartbeat). */
  upgradeOptions?: unknown;
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
  /** The peer's address, for the failed-auth limit and the audit log. */
  remoteAddress?: (c: Context) => string | undefined;
  audit?: AuditSink;
  log?: Logger;
  /** Serve the dashboard at `GET /` (default true). */
  dashboard?: boolean;
}

export type Monitor = Hono & {
  readonly hub: Hub;
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

export function createMonitor(options: MonitorOptions): Monitor {
  const hubOptions: HubOptions = {
    verifier: options.auth === false ? null : createVerifier(options.auth),
    authTimeoutMs: options.authTimeoutMs ?? DEFAULTS.authTimeoutMs,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    maxConnections: options.maxConnections ?? DEFAULTS.maxConnections,
    sendBufferLimit: options.sendBufferLimit ?? DEFAULTS.sendBufferLimit,
    slowReaderGraceMs: options.slowReaderGraceMs ?? DEFAULTS.slowReaderGraceMs,
    rateLimit: {
      perSecond: options.rateLimit?.perSecond ?? DEFAULTS.ratePerSecond,
      burst: options.rateLimit?.burst ?? options.rateLimit?.perSecond ?? DEFAULTS.rateBurst,
      maxViolations: options.rateLimit?.maxViolations ?? 10,
      violationWindowMs: options.rateLimit?.violationWindowMs ?? 10_000,
    },
    failedAuth: { limit: options.failedAuth?.limit ?? 10, windowMs: options.failedAuth?.windowMs ?? 60_000 },
    history: { size: options.history?.size ?? DEFAULTS.historySize, ttlMs: options.history?.ttlMs ?? DEFAULTS.historyTtlMs },
  };
  const hub = new Hub(options.source, hubOptions, options.log ?? defaultLogger, options.audit);
  void hub.start();

  const app = new Hono();
  const remoteOf = (c: Context) => options.remoteAddress?.(c) ?? 'unknown';
  /** A refused request: answered with `status` and recorded in the audit log. */
  const refuse = (c: Context, status: 403 | 421 | 503, error: string, message: string) => {
    hub.audit('rejected', { remote: remoteOf(c), status, code: error, reason: message, path: c.req.path });
    return c.json({ error, message }, status);
  };
  const hostAllowed = createHostCheck(options.allowedHosts);
  app.use('*', async (c, next) => {
    if (!hostAllowed(c.req.header('host'))) return refuse(c, 421, 'MISDIRECTED', 'this server does not answer to that Host name');
    await next();
  });
  const events = (c: Context) => {
    const remote = remoteOf(c);
    const headerToken = bearerToken(c.req.header('authorization'));
    let connection: Connection | undefined;
    return {
      onOpen(_event: Event, ws: WSContext) {
        connection = new Connection(hub, transportOf(ws), remote, headerToken);
        hub.add(connection);
        connection.open();
      },
      onMessage(event: MessageEvent, _ws: WSContext) {
        connection?.receive(event.data);
      },
      onClose(event: CloseEvent, _ws: WSContext) {
        connection?.closedBy(event.code);
      },
      onError(_event: Event, _ws: WSContext) {
        // The close event follows; nothing to do here.
      },
    };
  };
  const upgrade = async (c: Context): Promise<Response> => {
    const refused = gate(c);
    if (refused) return refused;
    try {
      return await options.upgradeWebSocket(c, events(c), options.upgradeOptions);
    } catch {
      return c.json({ error: 'UPGRADE_FAILED', message: 'WebSocket upgrade failed' }, 400);
    }
  };

  const gate = (c: Context): Response | undefined => {
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

  // `Upgrade` is a comma-separated list of protocols, compared case-insensitively.
  const isUpgrade = (c: Context) => /(^|,)\s*websocket\s*(,|$)/i.test(c.req.header('upgrade') ?? '');

  app.get('/monitor', (c) => {
    if (!isUpgrade(c)) return c.json({ error: 'UPGRADE_REQUIRED', message: 'connect with a WebSocket client' }, 426);
    return upgrade(c);
  });
  // Old clients connect with no path; a plain GET falls through to the dashboard (or 404).
  app.get('/', (c, next) => (isUpgrade(c) ? upgrade(c) : next()));
  if (options.dashboard !== false) mountDashboard(app);
  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      uptime: Math.round((Date.now() - hub.startedAt) / 1000),
      clients: hub.connectionCount,
      seq: hub.sequencer.last,
      epoch: hub.epoch,
      source: hub.source.state,
    }),
  );
  app.get('/metrics', (c) =>
    c.text(
      hub.metrics.render({ seq: hub.sequencer.last, historySize: hub.history.size, sourceConnected: hub.source.state === 'connected' }),
      200,
      { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    ),
  );
  let schema: Record<string, unknown> | undefined;
  app.get('/schema.json', (c) => c.json((schema ??= clientMessageJsonSchema())));

  return Object.assign(app, { hub, shutdown: () => hub.shutdown() });
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Adapts Hono's WSContext. `raw` is the runtime's socket: `ws` and Deno expose
 * `bufferedAmount`, Bun `getBufferedAmount()`.
 */
function transportOf(ws: WSContext): Transport {
  const raw = ws.raw as { bufferedAmount?: number; getBufferedAmount?: () => number } | undefined;
  return {
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    bufferedAmount: () => raw?.getBufferedAmount?.() ?? raw?.bufferedAmount ?? 0,
  };
}

/**
 * Starts a real tmux-monitor server in-process on a loopback port (Node runtime) for
 * tests, with an in-memory source unless one is given. Tokens are real HS256 JWTs.
 */
import { Hono } from 'hono';
import { createMonitor, type Monitor, type MonitorOptions } from '../../src/monitor.ts';
import { createMemorySource, type MemorySource } from '../../src/hub/memory-source.ts';
import { signToken, type TokenClaims } from '../../src/auth/signer.ts';
import { nodeServer } from '../../src/runtime/node.ts';
import type { EventSource } from '../../src/protocol/source.ts';
import type { VerifierOptions } from '../../src/auth/verifier.ts';

export interface TestServer<S extends EventSource = MemorySource> {
  url: string;
  /** ws://127.0.0.1:PORT (no path) */
  origin: string;
  httpUrl: string;
  port: number;
  secret: string;
  source: S;
  monitor: Monitor;
  /** A signed token; defaults: sub "test", role admin, 1 h. */
  token(claims?: Partial<TokenClaims>): Promise<string>;
  close(): Promise<void>;
}

export type TestServerOptions<S extends EventSource> = Partial<Omit<MonitorOptions, 'websocket' | 'source' | 'auth'>> & {
  /** Verifier settings on top of the HS256 secret, or false for no auth. */
  auth?: Partial<VerifierOptions> | false;
  source?: S;
  secret?: string;
  maxFrameBytes?: number;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  /** Mount under this prefix in a host app (embedding). */
  prefix?: string;
};

export async function startServer<S extends EventSource = MemorySource>(options: TestServerOptions<S> = {}): Promise<TestServer<S>> {
  const secret = options.secret ?? 'test-secret-' + crypto.randomUUID();
  const source = (options.source ?? createMemorySource()) as S;
  const { prefix = '', heartbeatMs = 25_000, heartbeatTimeoutMs = 10_000, auth, ...monitorOptions } = options;
  let monitor!: Monitor;
  const server = await nodeServer.serve(
    (kit) => {
      monitor = createMonitor({
        log: () => {},
        ...monitorOptions,
        auth: auth === false ? false : { secret, ...auth },
        source,
        websocket: kit,
      });
      if (!prefix) return monitor;
      // A host app with its own routes, the monitor mounted under a prefix.
      return hostApp(prefix, monitor);
    },
    { host: '127.0.0.1', port: 0, maxFrameBytes: options.maxFrameBytes ?? 64 * 1024, heartbeatMs, heartbeatTimeoutMs },
  );
  const origin = `ws://127.0.0.1:${server.port}`;
  return {
    url: `${origin}${prefix}/monitor`,
    origin,
    httpUrl: `http://127.0.0.1:${server.port}${prefix}`,
    port: server.port,
    secret,
    source,
    monitor,
    token: (claims = {}) => signToken(secret, { sub: 'test', role: 'admin', ttlSec: 3600, ...claims }),
    async close() {
      await monitor.shutdown();
      await server.close();
    },
  };
}

function hostApp(prefix: string, monitor: Monitor): Hono {
  const app = new Hono();
  app.get('/api/hello', (c) => c.json({ hello: 'host' }));
  app.route(prefix, monitor);
  return app;
}

/**
 * What the shared protocol suite needs from a server, whatever runs it: an in-process
 * Node server (memory source) or a subprocess under Node, Bun or Deno (stdin source).
 */
import type { RawEvent } from '../../src/protocol/events.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import { signToken, type TokenClaims } from '../../src/auth/signer.ts';
import type { RuntimeTarget } from '../helpers/runtimes.ts';
import { startServer } from '../helpers/server.ts';
import { startServeProcess } from '../helpers/subprocess-server.ts';
import { TestClient } from '../helpers/ws-client.ts';

export interface HarnessOptions {
  authTimeoutMs?: number;
  rateLimit?: number;
  maxConnections?: number;
  sendBufferLimit?: number;
  slowReaderGraceMs?: number;
  historySize?: number;
  historyTtlMs?: number;
  issuer?: string;
  audience?: string;
  jwksUrl?: string;
  prefix?: string;
}

export interface Harness {
  /** ws://…/monitor */
  url: string;
  /** ws://host:port (no path) */
  origin: string;
  /** http://host:port{prefix} */
  httpUrl: string;
  secret: string;
  token(claims?: Partial<TokenClaims>): Promise<string>;
  push(...events: RawEvent[]): Promise<void>;
  setSessions(sessions: SessionSnapshot[]): Promise<void>;
  /** SIGTERM-like graceful shutdown; resolves when the server is gone. */
  close(): Promise<void>;
}

export type StartHarness = (options?: HarnessOptions) => Promise<Harness>;

export const startInProcess: StartHarness = async (options = {}) => {
  const server = await startServer({
    prefix: options.prefix,
    authTimeoutMs: options.authTimeoutMs,
    maxConnections: options.maxConnections,
    sendBufferLimit: options.sendBufferLimit,
    slowReaderGraceMs: options.slowReaderGraceMs,
    rateLimit: options.rateLimit ? { perSecond: options.rateLimit, burst: options.rateLimit } : undefined,
    history: { size: options.historySize, ttlMs: options.historyTtlMs },
    auth: { issuer: options.issuer, audience: options.audience, jwksUrl: options.jwksUrl },
  });
  return {
    url: server.url,
    origin: server.origin,
    httpUrl: server.httpUrl,
    secret: server.secret,
    token: server.token,
    async push(...events) {
      server.source.push(...events);
    },
    async setSessions(sessions) {
      server.source.sessions = sessions;
    },
    close: server.close,
  };
};

/**
 * A server in a child process under `target` (a runtime, from source or bundle), fed
 * through `serve --source stdin`. The harness options map onto serve's flags.
 */
export function startSubprocess(target: RuntimeTarget): StartHarness {
  return async (options = {}) => {
    const secret = 'test-secret-' + crypto.randomUUID();
    const flags: string[] = [];
    const flag = (name: string, value: string | number | undefined) => {
      if (value !== undefined) flags.push(`--${name}`, String(value));
    };
    flag('auth-timeout', options.authTimeoutMs);
    flag('rate-limit', options.rateLimit);
    flag('max-connections', options.maxConnections);
    flag('send-buffer', options.sendBufferLimit);
    flag('slow-reader-grace', options.slowReaderGraceMs);
    flag('history-size', options.historySize);
    flag('history-ttl', options.historyTtlMs === undefined ? undefined : Math.ceil(options.historyTtlMs / 1000));
    flag('issuer', options.issuer);
    flag('audience', options.audience);
    flag('jwks-url', options.jwksUrl);
    flag('base-path', options.prefix);
    const server = await startServeProcess(target, { env: { TMUX_MONITOR_SECRET: secret }, flags });
    const origin = `ws://127.0.0.1:${server.port}`;
    const token = (claims: Partial<TokenClaims> = {}) => signToken(secret, { sub: 'test', role: 'admin', ttlSec: 3600, ...claims });
    return {
      url: server.url,
      origin,
      httpUrl: `http://127.0.0.1:${server.port}${options.prefix ?? ''}`,
      secret,
      token,
      async push(...events) {
        await server.write(...events);
      },
      async setSessions(sessions) {
        await server.write({ $sessions: sessions });
        await untilSnapshotShows(
          server.url,
          await token(),
          sessions.map((s) => s.name),
        );
      },
      async close() {
        // Graceful on every runtime: clients get 1001 (the suite checks), the process exits 0.
        const { code } = await server.stop('SIGTERM');
        if (code !== 0) throw new Error(`${target.label} exited with ${code} on SIGTERM\n${server.stderr()}`);
      },
    };
  };
}

/** stdin is asynchronous: wait until the child's snapshot has the sessions just set. */
async function untilSnapshotShows(url: string, token: string, names: string[]): Promise<void> {
  const client = await TestClient.authed(url, token);
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      await client.request({ action: 'snapshot' });
      const data = await client.next('snapshot.data');
      const got = (data.data.sessions as SessionSnapshot[]).map((s) => s.name);
      if (JSON.stringify(got) === JSON.stringify(names)) return;
      if (Date.now() > deadline) throw new Error(`snapshot still shows ${JSON.stringify(got)}, not ${JSON.stringify(names)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await client.close();
  }
}

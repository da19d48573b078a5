/**
 * What the shared protocol suite needs from a server, whatever runs it: an in-process
 * Node server (memory source) or a subprocess under Node, Bun or Deno (stdin source).
 */
import type { RawEvent } from '../../src/protocol/events.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import type { TokenClaims } from '../../src/auth/signer.ts';
import { startServer } from '../helpers/server.ts';

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

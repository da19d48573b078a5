/**
 * Helpers for the JS client's tests: a WebSocket class that remembers its sockets (so a
 * test can cut the client's connection), a server that can be restarted on the same port
 * (a new epoch), and waits with timeouts.
 */
import WebSocket from 'ws';
import { createMonitor, type Monitor } from '../../src/monitor.ts';
import { createMemorySource, type MemorySource } from '../../src/hub/memory-source.ts';
import { signToken, type TokenClaims } from '../../src/auth/signer.ts';
import { nodeServer } from '../../src/runtime/node.ts';
import type { RawEvent } from '../../src/protocol/events.ts';
import type { SessionSnapshot } from '../../src/protocol/snapshot.ts';
import type { LifecycleEventMap, LifecycleEventName, TmuxMonitor, WebSocketConstructor } from '../../src/client/index.ts';

/** The `ws` class, remembering every socket it opens (newest last). */
export function recordingWebSocket(): { WebSocket: WebSocketConstructor; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { WebSocket: Recording, sockets };
}

/** The next lifecycle event `name` that matches, or a rejection after `timeoutMs`. */
export function nextLifecycle<L extends LifecycleEventName>(
  monitor: TmuxMonitor,
  name: L,
  match: (event: LifecycleEventMap[L]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<LifecycleEventMap[L]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${name}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = monitor.on(name, (event: LifecycleEventMap[L]) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/** Reads `count` values from an async iterator, failing after `timeoutMs`. */
export async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 5000): Promise<T[]> {
  const values: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (values.length < count) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`got ${values.length}/${count} within ${timeoutMs} ms`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      const result = await Promise.race([iterator.next(), timeout]);
      if (result.done) throw new Error(`iterator ended after ${values.length}/${count}`);
      values.push(result.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return values;
}

/** Waits until `condition()` holds, checking every few ms, failing after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** An agent.status event for pane `ai-chat:0.0`, numbered `n` in its `reason`. */
export function agentStatus(n: number, session = 'ai-chat'): RawEvent {
  return {
    type: 'agent.status',
    session,
    window: 0,
    pane: 0,
    pane_id: '%1',
    data: { status: n % 2 ? 'busy' : 'ready', previous: n % 2 ? 'ready' : 'busy', agent_type: 'claude', reason: `n=${n}` },
  };
}

/**
 * A real server (the same pieces as test/helpers/server.ts) that can be stopped and started
 * again on the same port, as a restart would: the new instance has a new epoch and an
 * empty history. The secret is kept, so tokens stay valid across restarts.
 */
export interface RestartableServer {
  url: string;
  source: MemorySource;
  monitor: Monitor;
  token(claims?: Partial<TokenClaims>): Promise<string>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function restartableServer(sessions: SessionSnapshot[] = []): Promise<RestartableServer> {
  const secret = `test-secret-${crypto.randomUUID()}`;
  let port = 0;
  let running: { close(): Promise<void> } | null = null;
  const server: RestartableServer = {
    url: '',
    source: createMemorySource(sessions),
    monitor: undefined as unknown as Monitor,
    token: (claims = {}) => signToken(secret, { sub: 'test', role: 'admin', ttlSec: 3600, ...claims }),
    async start() {
      const source = createMemorySource(sessions);
      let monitor!: Monitor;
      const http = await nodeServer.serve(
        (kit) =>
          (monitor = createMonitor({
            auth: { secret },
            log: () => {},
            source,
            websocket: kit,
          })),
        { host: '127.0.0.1', port, maxFrameBytes: 64 * 1024, heartbeatMs: 25_000, heartbeatTimeoutMs: 10_000 },
      );
      port = http.port;
      server.url = `ws://127.0.0.1:${port}/monitor`;
      server.source = source;
      server.monitor = monitor;
      running = {
        async close() {
          await monitor.shutdown();
          await http.close();
        },
      };
    },
    async stop() {
      await running?.close();
      running = null;
    },
  };
  await server.start();
  return server;
}

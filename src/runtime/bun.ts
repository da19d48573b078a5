/**
 * Bun: `Bun.serve` with our Bun WebSocket kit (bun-websocket.ts). All of Bun's server
 * wiring is here.
 */
import { Hono } from 'hono';
import type { RuntimeServer } from '../cli/platform.ts';
import { createBunWebSocket } from './bun-websocket.ts';

interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunServeApi {
  serve(options: Record<string, unknown>): BunServer;
}

export const bunServer: RuntimeServer = {
  name: 'bun',
  async serve(createApp, options) {
    const bun = (globalThis as unknown as { Bun: BunServeApi }).Bun;
    const ws = createBunWebSocket(options);
    const root = new Hono();
    root.route('/', createApp(ws));
    const server = bun.serve({
      hostname: options.host,
      port: options.port,
      ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
      fetch: (request: Request, server: unknown) => root.fetch(request, server),
      websocket: ws.websocket,
    });
    return {
      port: server.port,
      async close() {
        ws.stop();
        // Stop accepting; give the close frames already sent (1001) a moment to flush,
        // then drop whatever is left.
        void server.stop(false);
        const started = Date.now();
        while (ws.sockets.size > 0 && Date.now() - started < 1000) await new Promise((resolve) => setTimeout(resolve, 20));
        await server.stop(true);
      },
    };
  },
};

/**
 * Bun: `Bun.serve` with our Bun WebSocket helper (bun-websocket.ts). All of Bun's server
 * wiring is here.
 *
 * Gaps filled (in bun-websocket.ts): frame size is Bun's `maxPayloadLength` (Bun closes
 * with 1009 itself); the send buffer is `getBufferedAmount()` (read by the core's
 * transport), and Bun's own back-pressure limit is set above ours so that Bun never drops
 * a message silently and the core decides (4503); the heartbeat is explicit (`ping()` +
 * the `pong` handler), as on Node; one WSContext per socket, not one per event.
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
    root.route('/', createApp({ upgradeWebSocket: ws.upgradeWebSocket, remoteAddress: ws.remoteAddress }));
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

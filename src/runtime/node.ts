/** Node: @hono/node-server with @hono/node-ws. All of Node's WebSocket wiring is here. */
import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import type { RuntimeServer } from '../cli/platform.ts';
import { configureNodeWebSocket } from './node-websocket.ts';

export const nodeServer: RuntimeServer = {
  name: 'node',
  async serve(createApp, options) {
    const root = new Hono();
    const { wss, upgradeWebSocket, injectWebSocket } = createNodeWebSocket({ app: root });
    root.route('/', createApp({ upgradeWebSocket, remoteAddress: (c) => getConnInfo(c).remote.address }));

    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve(
        {
          fetch: root.fetch,
          hostname: options.host,
          port: options.port,
          ...(options.tls ? { createServer: createHttpsServer, serverOptions: { cert: options.tls.cert, key: options.tls.key } } : {}),
        },
        () => resolve(s),
      );
    });
    injectWebSocket(server);
    // The frame limit (1009), the heartbeat, one write per socket per turn, ErrorEvent for Node 20.
    const stopHeartbeat = configureNodeWebSocket(wss, options);
    const address = server.address();
    return {
      port: typeof address === 'object' && address ? address.port : options.port,
      close: () =>
        new Promise<void>((resolve) => {
          stopHeartbeat();
          server.close(() => resolve());
          // Give the close frames already sent (1001) a moment to flush, then drop the rest.
          const started = Date.now();
          const sweep = setInterval(() => {
            if (wss.clients.size > 0 && Date.now() - started < 1000) return;
            clearInterval(sweep);
            for (const ws of wss.clients) ws.terminate();
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }, 20);
        }),
    };
  },
};

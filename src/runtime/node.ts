/** Node: @hono/node-server with our Node WebSocket kit (node-websocket.ts). All of Node's server wiring is here. */
import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { RuntimeServer } from '../cli/platform.ts';
import { createNodeWebSocket } from './node-websocket.ts';

export const nodeServer: RuntimeServer = {
  name: 'node',
  async serve(createApp, options) {
    const root = new Hono();
    const ws = createNodeWebSocket(options);
    root.route('/', createApp(ws));

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
    ws.attach(server, root.fetch);
    const address = server.address();
    return {
      port: typeof address === 'object' && address ? address.port : options.port,
      close: () =>
        new Promise<void>((resolve) => {
          ws.stop();
          server.close(() => resolve());
          // Give the close frames already sent (1001) a moment to flush, then drop the rest.
          const started = Date.now();
          const sweep = setInterval(() => {
            if (ws.openCount > 0 && Date.now() - started < 1000) return;
            clearInterval(sweep);
            ws.terminateAll();
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }, 20);
        }),
    };
  },
};

/** Node: @hono/node-server with our Node WebSocket kit (node-websocket.ts). All of Node's server wiring is here. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Hono } from 'hono';
import type { RuntimeServer } from '../cli/platform.ts';
import { createNodeWebSocket } from './node-websocket.ts';

export const nodeServer: RuntimeServer = {
  name: 'node',
  async serve(createApp, options) {
    const root = new Hono();
    const ws = createNodeWebSocket(options);
    root.route('/', createApp(ws));

    // @hono/node-server is loaded by the first request, not at start: it reads Node's fetch
    // classes (Request, Response) when imported, and those load undici, about 8 MiB of
    // memory an idle server does not need. A WebSocket upgrade loads them as well.
    let listener: Promise<(req: IncomingMessage, res: ServerResponse) => Promise<void>> | undefined;
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      listener ??= import('@hono/node-server').then(({ getRequestListener }) => getRequestListener(root.fetch, { hostname: options.host }));
      void listener.then((handle) => handle(req, res));
    };
    const server: Server = options.tls
      ? (await import('node:https')).createServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
      : createServer(onRequest);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
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

/** Node: @hono/node-server with @hono/node-ws. All of Node's WebSocket wiring is here. */
import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createNodeWebSocket } from '@hono/node-ws';
import process from 'node:process';
import { Hono } from 'hono';
import type WebSocket from 'ws';
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
    wss.on('connection', corkPerTick);
    // The frame limit (1009), the heartbeat, and ErrorEvent for Node 20.
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

/**
 * Frames sent to one socket in the same turn of the event loop go out in one write: the
 * first send of a turn corks the TCP socket and the end of the turn uncorks it. The hub
 * sends a batch of events (and a replay) as a run of sends; without this each frame is a
 * syscall of its own, which is most of what fan-out costs. Past CORK_BYTES the socket is
 * flushed at once, so that a burst does not look like a slow reader's backlog to the
 * send-buffer checks (bufferedAmount counts corked bytes).
 */
const CORK_BYTES = 16 * 1024;

function corkPerTick(ws: WebSocket): void {
  const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void; writableLength: number } })._socket;
  if (!socket) return;
  const send = ws.send.bind(ws) as (...args: unknown[]) => void;
  let corked = false;
  const uncork = (): void => {
    if (!corked) return;
    corked = false;
    socket.uncork();
  };
  (ws as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    send(...args);
    if (socket.writableLength >= CORK_BYTES) uncork();
  };
}

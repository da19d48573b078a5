/**
 * Deno: `Deno.serve` with our Deno WebSocket kit (deno-websocket.ts). All of Deno's server
 * wiring is here.
 */
import { Hono } from 'hono';
import type { RuntimeServer } from '../cli/platform.ts';
import { createDenoWebSocket } from './deno-websocket.ts';
import { settledWithin } from '../time-limit.ts';

/** The part of Deno's API we use (Deno's own types are not installed). */
interface DenoServeApi {
  serve(
    options: { hostname: string; port: number; cert?: string; key?: string; onListen?: (addr: unknown) => void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): { addr: { port: number }; finished: Promise<void>; shutdown(): Promise<void> };
}

export const denoServer: RuntimeServer = {
  name: 'deno',
  async serve(createApp, options) {
    const deno = (globalThis as unknown as { Deno: DenoServeApi }).Deno;
    const root = new Hono();
    root.route('/', createApp(createDenoWebSocket(options)));

    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const server = deno.serve(
      {
        hostname: options.host,
        port: options.port,
        ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
        // Also keeps Deno from printing its own "Listening on" line.
        onListen: () => listening(),
      },
      (request, info) => root.fetch(request, info),
    );
    await ready;
    return {
      port: server.addr.port,
      async close() {
        // Stop accepting; give the close frames already sent (1001) a moment to flush.
        await settledWithin(server.shutdown(), 1000);
      },
    };
  },
};

/**
 * A local HTTP receiver for notification tests: records every request (path, headers,
 * body, arrival time) and answers per path — a status code, or `hang` (never answers).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** How a path answers (default 200). */
  answer(path: string, how: number | 'hang'): void;
  /** Waits until `count` requests for `path` have arrived. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<Received[]>;
  of(path: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const answers = new Map<string, number | 'hang'>();
  const hanging: ServerResponse[] = [];
  let waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const wake = waiters;
      waiters = [];
      for (const w of wake) w();
      const how = answers.get(path) ?? 200;
      if (how === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(how, { 'content-type': 'text/plain' }).end(String(how));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const of = (path: string) => received.filter((r) => r.path === path);
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (path, how) => answers.set(path, how),
    of,
    async waitFor(path, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (of(path).length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`receiver: ${of(path).length}/${count} requests for ${path}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return of(path);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The baseline for the fan-out and connection benchmarks: the least a broadcast server
 * can do, written directly on the `ws` package. Each event is stamped and serialized
 * once and the same string is sent to every subscribed socket; nothing else (no token
 * check, no filters, no history, no slow-reader policy). It speaks just enough of the
 * protocol (connection.established, auth.response, subscription.confirmed) for the same
 * client processes to drive it, and takes the same `GET /bench/emit` as the real server.
 */
import { createServer } from 'node:http';
import process from 'node:process';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RawEvent } from '../../src/protocol/events.ts';
import { benchNow, emitLoad, makeEvent, parseLoad } from './load.ts';

const subscribed = new Set<WebSocket>();
let seq = 0;

function broadcast(events: RawEvent[]): void {
  const timestamp = new Date().toISOString();
  for (const event of events) {
    const json = JSON.stringify({ ...event, seq: ++seq, timestamp });
    for (const ws of subscribed) ws.send(json);
  }
}

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const reply = (body: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/bench/emit') {
    void emitLoad(
      parseLoad((n) => url.searchParams.get(n) ?? undefined),
      broadcast,
    ).then(reply);
  } else if (url.pathname === '/bench/clock') {
    reply({ now: benchNow() });
  } else if (url.pathname === '/bench/info') {
    reply({
      runtime: 'node+ws',
      pid: process.pid,
      eventBytes: JSON.stringify({ ...makeEvent(0, Date.now(), 200), seq: 1, timestamp: new Date().toISOString() }).length,
    });
  } else {
    res.writeHead(404).end();
  }
});

const wss = new WebSocketServer({ server: http, path: '/monitor', maxPayload: 64 * 1024 });
wss.on('connection', (ws) => {
  ws.send(JSON.stringify({ type: 'connection.established', client_id: 'baseline', protocol: 1 }));
  ws.on('message', (data) => {
    let message: { action?: string; id?: unknown };
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (message.action === 'auth') ws.send(JSON.stringify({ type: 'auth.response', id: message.id, success: true }));
    else if (message.action === 'subscribe') {
      subscribed.add(ws);
      ws.send(JSON.stringify({ type: 'subscription.confirmed', id: message.id, subscription: 'sub-1', seq }));
    } else if (message.action === 'ping') ws.send(JSON.stringify({ type: 'pong', id: message.id }));
  });
  ws.on('close', () => subscribed.delete(ws));
  ws.on('error', () => subscribed.delete(ws));
});

http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`baseline listening on ws://127.0.0.1:${port}/monitor`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));

/**
 * One WebSocket client in the bench process (the latency and structural scenarios):
 * connect, authenticate, subscribe, and hand each event to a listener together with
 * the moment it arrived.
 */
import WebSocket from 'ws';
import { now } from './clock.mjs';

export async function connectClient(url, token, filters = {}, { timeoutMs = 10_000 } = {}) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const listeners = new Set();
  const waiters = new Set();
  let closed = null;

  ws.on('message', (data) => {
    const at = now();
    const message = JSON.parse(data.toString());
    for (const listener of listeners) listener(message, at);
    for (const waiter of waiters) waiter(message, at);
  });
  ws.on('close', (code) => {
    closed = code;
    for (const waiter of waiters) waiter(null, now());
  });

  const client = {
    ws,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Resolves with { message, at } for the first message that matches from now on. */
    waitFor(match, timeout = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`timed out after ${timeout} ms`));
        }, timeout);
        const waiter = (message, at) => {
          if (message === null) {
            clearTimeout(timer);
            waiters.delete(waiter);
            reject(new Error(`connection closed (${closed})`));
          } else if (match(message)) {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve({ message, at });
          }
        };
        waiters.add(waiter);
      });
    },
    send(message) {
      ws.send(JSON.stringify(message));
    },
    /** Sends a message; resolves with the reply that carries its id (and passes `match`). */
    async request(message, timeout = 10_000, match = () => true) {
      const id = `b-${Math.random().toString(36).slice(2)}`;
      const reply = client.waitFor((m) => m.id === id && (m.type === 'error' || match(m)), timeout);
      client.send({ ...message, id });
      return (await reply).message;
    },
    close() {
      return new Promise((resolve) => {
        if (closed !== null || ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1000).unref();
      });
    },
  };

  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`could not connect to ${url}`)), timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  const auth = await client.request({ action: 'auth', token }, timeoutMs);
  if (auth.type !== 'auth.response') throw new Error(`auth failed: ${JSON.stringify(auth)}`);
  const sub = await client.request({ action: 'subscribe', filters }, timeoutMs);
  if (sub.type !== 'subscription.confirmed') throw new Error(`subscribe failed: ${JSON.stringify(sub)}`);
  return client;
}

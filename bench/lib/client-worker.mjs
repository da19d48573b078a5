/**
 * A client process: holds many WebSocket connections to one server and counts what they
 * receive, so that the client side of a fan-out or connection benchmark runs outside
 * the server's process. Driven over IPC by ClientPool (workers.mjs).
 *
 * Receiving is kept cheap: a live `pane.output` event is not parsed as JSON; the send
 * time the bench's event generator put at the start of its content (`"content":"T<ms>`)
 * is read straight from the frame's bytes.
 */
import WebSocket from 'ws';
import { now } from './clock.mjs';
import { Histogram } from './stats.mjs';

const MARK = Buffer.from('"content":"T');
const conns = new Set();
let hist = new Histogram();
let received = 0;
let firstAt = null;
let lastAt = null;
let other = {};
/** How far the server's clock is ahead of ours (ms), added to every latency. */
let clockOffset = 0;

/** The number after the mark: digits with one '.', read without making a string. */
function sentAt(buf) {
  const at = buf.indexOf(MARK);
  if (at < 0) return null;
  let value = 0;
  let scale = 0;
  for (let i = at + MARK.length; i < buf.length; i++) {
    const c = buf[i];
    if (c === 46) scale = 1;
    else if (c >= 48 && c <= 57) {
      if (scale === 0) value = value * 10 + (c - 48);
      else {
        scale /= 10;
        value += (c - 48) * scale;
      }
    } else break;
  }
  return value;
}

function open(url, token, filters) {
  return new Promise((resolve) => {
    const conn = { ws: null, received: 0, lagged: false, dropped: 0, closedCode: null, ready: false };
    let settled = false;
    const done = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(error ?? null);
    };
    const timer = setTimeout(() => {
      done('timeout');
      conn.ws.terminate();
    }, 30_000);
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    conn.ws = ws;
    ws.on('open', () => ws.send(JSON.stringify({ action: 'auth', token })));
    ws.on('message', (data) => {
      const at = now();
      // Live events: the fast path.
      if (conn.ready && data[9] === 112 /* p of "pane.output" */) {
        const sent = sentAt(data);
        if (sent !== null) {
          hist.record(at - sent + clockOffset);
          conn.received++;
          received++;
          firstAt ??= at;
          lastAt = at;
          return;
        }
      }
      let message;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      switch (message.type) {
        case 'auth.response':
          ws.send(JSON.stringify({ action: 'subscribe', filters }));
          break;
        case 'subscription.confirmed':
          conn.ready = true;
          conns.add(conn);
          done(null);
          break;
        case 'system.lagged':
          conn.lagged = true;
          conn.dropped += message.data?.dropped ?? 0;
          break;
        case 'error':
          other[`error:${message.code}`] = (other[`error:${message.code}`] ?? 0) + 1;
          if (!conn.ready) done(`error ${message.code}: ${message.message}`);
          break;
        default:
          if (message.type !== 'connection.established') other[message.type] = (other[message.type] ?? 0) + 1;
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      done(`HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.on('error', (e) => done(e.code ?? e.message));
    ws.on('close', (code) => {
      conn.closedCode = code;
      done(`closed ${code}`);
    });
  });
}

async function ensure({ url, token, target, filters = {}, concurrency = 50 }) {
  for (const c of conns) if (c.closedCode !== null) conns.delete(c);
  const errors = {};
  let failed = 0;
  let needed = target - conns.size;
  const runners = Array.from({ length: Math.max(0, Math.min(concurrency, needed)) }, async () => {
    while (needed > 0) {
      needed--;
      const error = await open(url, token, filters);
      if (error) {
        failed++;
        errors[error] = (errors[error] ?? 0) + 1;
      }
    }
  });
  await Promise.all(runners);
  return { open: conns.size, failed, errors };
}

function reset({ clockOffsetMs = 0 } = {}) {
  clockOffset = clockOffsetMs;
  hist = new Histogram();
  received = 0;
  firstAt = null;
  lastAt = null;
  other = {};
  for (const c of conns) {
    c.received = 0;
    c.lagged = false;
    c.dropped = 0;
  }
}

function stats() {
  let min = Infinity;
  let max = 0;
  let lagged = 0;
  let dropped = 0;
  let closed = 0;
  const closeCodes = {};
  for (const c of conns) {
    min = Math.min(min, c.received);
    max = Math.max(max, c.received);
    if (c.lagged) lagged++;
    dropped += c.dropped;
    if (c.closedCode !== null) {
      closed++;
      closeCodes[c.closedCode] = (closeCodes[c.closedCode] ?? 0) + 1;
    }
  }
  return {
    connections: conns.size,
    received,
    perConnectionMin: conns.size ? min : 0,
    perConnectionMax: max,
    laggedConnections: lagged,
    droppedReported: dropped,
    closedConnections: closed,
    closeCodes,
    firstAt,
    lastAt,
    other,
    histogram: hist.toJSON(),
  };
}

async function closeAll() {
  const all = [...conns];
  conns.clear();
  await Promise.all(
    all.map(
      (c) =>
        new Promise((resolve) => {
          if (c.closedCode !== null) return resolve();
          c.ws.once('close', resolve);
          c.ws.close();
          setTimeout(() => {
            c.ws.terminate();
            resolve();
          }, 2000).unref();
        }),
    ),
  );
  return { open: 0 };
}

process.on('message', async ({ id, cmd, args }) => {
  try {
    let result;
    if (cmd === 'ensure') result = await ensure(args);
    else if (cmd === 'reset') result = reset(args);
    else if (cmd === 'stats') result = stats();
    else if (cmd === 'close') result = await closeAll();
    else if (cmd === 'exit') {
      for (const c of conns) c.ws.terminate();
      process.send({ id, result: null }, () => process.exit(0));
      return;
    } else throw new Error(`unknown command ${cmd}`);
    process.send({ id, result: result ?? null });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
// Never outlive the bench.
process.on('disconnect', () => process.exit(0));

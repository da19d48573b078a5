#!/usr/bin/env node
/**
 * The soak run: `npm run soak -- --minutes N` (default 10).
 *
 * A real tmux server (private socket) with busy panes, the tmux-monitor server watching it
 * (bench/soak/server.ts, Node), and clients that come and go the whole time:
 *   steady    stay connected and read everything (some with filters);
 *   resumers  drop the connection abruptly, stay away a few seconds, resume with `since`;
 *   stoppers  subscribe, then stop reading (the server must drop their output, then close 4503);
 *   flooders  send far over the rate limit, malformed frames and oversized frames;
 *   churners  connect, authenticate (some with a bad token), subscribe, leave.
 * Now and then the tmux server is killed and started again.
 *
 * A recorder client keeps every event the server issues (seq → type, session). At the end
 * every live client's record is checked against it: each event the client was owed (its
 * filters, from when its subscription took effect to its last event) must have arrived
 * once — missing only `pane.output` dropped while it lagged, exactly as many as its
 * `system.lagged` said. Every 10 s the server's RSS, heap, open fds and event-loop delay
 * are sampled. The report goes to stdout and bench/results/soak-<time>.json; the exit code
 * is 1 when an event was lost or duplicated.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { killAll, ROOT, startServer } from '../lib/proc.mjs';
import { tmuxCommand } from '../lib/tmux.mjs';
import { newSecret, signToken } from '../lib/token.mjs';

const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] !== undefined ? Number(argv[at + 1]) : fallback;
};
const MINUTES = flag('minutes', 10);
const SAMPLE_MS = flag('sample-seconds', 10) * 1000;
const TMUX_RESTART_MS = flag('tmux-restart-seconds', 90) * 1000;
const STEADY = flag('steady', 4);
const RESUMERS = flag('resumers', 4);
const SEND_BUFFER = flag('send-buffer', 256 * 1024);
const SERVER = join(ROOT, 'dist', 'bench', 'soak-server.mjs');

const rand = (min, max) => min + Math.random() * (max - min);
const log = (message) => console.error(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}`);
let started = Date.now();

// ---- tmux with busy panes ---------------------------------------------------------------

const socket = `soak-${Math.random().toString(16).slice(2, 10)}`;
// Panes that print a line every 0.1 s and a burst of 3000 lines every ~30 s (sh builtins only).
const BUSY = `sh -c 'i=0; while :; do i=$((i+1)); echo "soak line $i"; if [ $((i % 300)) -eq 0 ]; then seq 1 3000; fi; sleep 0.1; done'`;
// A firehose: ~100 KB of output a second, enough to fill a stopped reader's socket buffers.
const FIREHOSE = `sh -c 'while :; do head -c 100000 /dev/zero | tr "\\000" x | fold -w 100; sleep 1; done'`;

async function startBusyTmux() {
  await tmuxCommand(socket, [
    '-f',
    '/dev/null',
    'start-server',
    ';',
    'set-option',
    '-g',
    'history-limit',
    '2000',
    ';',
    'new-session',
    '-d',
    '-s',
    'soak-a',
    '-x',
    '160',
    '-y',
    '40',
    BUSY,
    ';',
    'split-window',
    '-t',
    'soak-a',
    BUSY,
    ';',
    'new-session',
    '-d',
    '-s',
    'soak-b',
    '-x',
    '160',
    '-y',
    '40',
    BUSY,
    ';',
    'split-window',
    '-t',
    'soak-b',
    BUSY,
    ';',
    'new-window',
    '-d',
    '-t',
    'soak-b',
    '-n',
    'firehose',
    FIREHOSE,
  ]);
}
const killTmux = () => tmuxCommand(socket, ['kill-server']).catch(() => {});

// ---- the reference record ----------------------------------------------------------------

/** Every event the recorder saw: seq → { type, session }. */
const reference = new Map();
let referenceFrom = null;
let referenceProblems = 0;

/** Which events a subscription's filters ask for (the subset of the protocol the soak uses). */
function matcher(filters) {
  const types = filters.types ?? [];
  const sessions = filters.sessions ?? [];
  return (event) => {
    if (
      types.length > 0 &&
      !types.includes('*') &&
      !types.some((t) => t === event.type || (t.endsWith('.*') && event.type.startsWith(t.slice(0, -1))))
    )
      return false;
    if (sessions.length > 0 && event.session !== undefined && !sessions.includes(event.session)) return false;
    return true;
  };
}

// ---- clients ------------------------------------------------------------------------------

const stats = {
  connections: 0,
  eventsDelivered: 0,
  resumes: 0,
  resumesIncomplete: 0,
  tmuxRestarts: 0,
  stoppers: 0,
  flooders: 0,
  churners: 0,
  badAuth: 0,
  oversized: 0,
  rateLimited: 0,
  lagged: 0,
  closes: {},
};
/** Finished subscription windows to check: { kind, filters, from, seqs: Map seq→count, dropped }. */
const windows = [];
const live = new Set();

/** Opens an authenticated connection; `onEvent` gets each event, `onOther` everything else. */
function open(url, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    stats.connections++;
    const client = { ws, handlers: new Set(), closed: null };
    live.add(client);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      for (const handler of client.handlers) handler(message);
    });
    ws.on('close', (code) => {
      client.closed = code;
      stats.closes[code] = (stats.closes[code] ?? 0) + 1;
      live.delete(client);
      for (const handler of client.handlers) handler(null);
    });
    ws.on('error', () => {});
    client.next = (match, timeoutMs = 10_000) =>
      new Promise((res, rej) => {
        const timer = setTimeout(() => {
          client.handlers.delete(handler);
          rej(new Error('timeout'));
        }, timeoutMs);
        const handler = (m) => {
          if (m === null || match(m)) {
            clearTimeout(timer);
            client.handlers.delete(handler);
            if (m === null) rej(new Error(`closed ${client.closed}`));
            else res(m);
          }
        };
        client.handlers.add(handler);
      });
    ws.once('open', async () => {
      try {
        await client.next((m) => m.type === 'connection.established');
        if (token !== null) {
          ws.send(JSON.stringify({ action: 'auth', token }));
          const reply = await client.next((m) => m.type === 'auth.response' || m.type === 'error');
          if (reply.type === 'error') throw new Error(reply.code);
        }
        resolve(client);
      } catch (error) {
        ws.terminate();
        reject(error);
      }
    });
    ws.once('unexpected-response', () => reject(new Error('refused')));
  });
}

/** Subscribes and records every event into a window; resolves with the window once confirmed. */
async function subscribe(client, kind, filters, resume) {
  const window = { kind, filters, from: null, seqs: new Map(), dropped: 0, last: 0 };
  client.handlers.add((m) => {
    if (m === null) return;
    if (typeof m.seq === 'number' && m.data !== undefined) {
      window.seqs.set(m.seq, (window.seqs.get(m.seq) ?? 0) + 1);
      window.last = Math.max(window.last, m.seq);
      stats.eventsDelivered++;
    } else if (m.type === 'system.lagged') {
      window.dropped += m.data.dropped;
      stats.lagged++;
    }
  });
  const id = `s-${Math.random().toString(36).slice(2)}`;
  // Both waits are set before sending: the replies may arrive in one read.
  const confirming = client.next((m) => m.id === id && (m.type === 'subscription.confirmed' || m.type === 'error'));
  const replayed = resume ? client.next((m) => m.id === id && (m.type === 'replay.complete' || m.type === 'error'), 15_000) : null;
  replayed?.catch(() => {});
  client.ws.send(JSON.stringify({ action: 'subscribe', id, filters, ...resume }));
  const confirmed = await confirming;
  if (confirmed.type === 'error') throw new Error(`subscribe: ${confirmed.code}`);
  window.from = resume ? resume.since : confirmed.seq;
  if (resume) {
    const done = await replayed;
    stats.resumes++;
    if (!done.complete) {
      // History no longer held (or tmux-monitor restarted): the protocol says so; start afresh.
      stats.resumesIncomplete++;
      window.from = done.to;
      for (const seq of [...window.seqs.keys()]) if (seq <= done.to) window.seqs.delete(seq);
    }
  }
  return window;
}

// ---- the populations ------------------------------------------------------------------------

let running = true;
let url;
let secret;
let epoch;
const admin = () => signToken(secret, { sub: 'soak', role: 'admin', ttlSec: 7200 });
const STEADY_FILTERS = [
  {},
  { sessions: ['soak-a'] },
  { types: ['pane.*', 'agent.*', 'system.*'] },
  { types: ['session.*', 'window.*', 'pane.created', 'pane.removed'] },
];

async function steady(n) {
  const client = await open(url, admin());
  const window = await subscribe(client, 'steady', STEADY_FILTERS[n % STEADY_FILTERS.length]);
  while (running && client.closed === null) await sleep(500);
  if (client.closed === null) windows.push(window);
  client.ws.close();
}

async function resumer(n) {
  const filters = n % 2 === 0 ? {} : { sessions: ['soak-b'] };
  let since;
  while (running) {
    let client;
    try {
      client = await open(url, admin());
    } catch {
      await sleep(1000);
      continue;
    }
    let window;
    try {
      window = await subscribe(client, 'resumer', filters, since === undefined ? undefined : { since, epoch });
    } catch (error) {
      log(`resumer ${n}: ${error.message}`);
      client.ws.terminate();
      continue;
    }
    await sleep(rand(5_000, 25_000));
    if (client.closed !== null) continue;
    // Let what is in flight arrive, then vanish without a close handshake.
    windows.push(window);
    since = Math.max(window.last, window.from);
    client.ws.terminate();
    await sleep(rand(500, 8_000));
  }
}

async function stopper() {
  stats.stoppers++;
  const client = await open(url, admin());
  await subscribe(client, 'stopper', {});
  client.ws._socket.pause();
  // And asks for a few snapshots it will never read (the firehose fills its buffers anyway).
  for (let i = 0; i < 5; i++) client.ws.send(JSON.stringify({ action: 'snapshot', id: i, lines: 2000 }));
  const deadline = Date.now() + 240_000;
  while (client.closed === null && Date.now() < deadline && running) await sleep(500);
  client.ws.terminate();
}

async function flooder() {
  stats.flooders++;
  const client = await open(url, admin());
  client.handlers.add((m) => {
    if (m?.type === 'error' && m.code === 'RATE_LIMIT') stats.rateLimited++;
  });
  for (let i = 0; i < 400 && client.closed === null; i++) {
    client.ws.send(i % 7 === 0 ? '{not json' : JSON.stringify({ action: i % 2 ? 'ping' : 'snapshot', id: i }));
  }
  if (client.closed === null && Math.random() < 0.5) {
    stats.oversized++;
    client.ws.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(70 * 1024) }));
  }
  await sleep(2000);
  client.ws.terminate();
}

async function churner() {
  stats.churners++;
  const bad = Math.random() < 0.2;
  if (bad) stats.badAuth++;
  try {
    const client = await open(url, bad ? `${admin()}x` : admin());
    const window = await subscribe(client, 'churner', { types: ['agent.status', 'system.*'] });
    await sleep(rand(0, 2000));
    if (client.closed === null) windows.push(window);
    client.ws.close();
  } catch {
    // A bad token is refused: as it should be.
  }
}

/** Runs `task` every `everyMs` (± half) until the end, without waiting for it. */
async function every(everyMs, task) {
  while (running) {
    await sleep(rand(everyMs / 2, everyMs * 1.5));
    if (running) task().catch((error) => log(`client failed: ${error.message}`));
  }
}

// ---- the run -------------------------------------------------------------------------------

async function main() {
  log(`building the soak server; ${MINUTES} min, tmux -L ${socket}`);
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['bench/soak/server.ts'],
    outfile: SERVER,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ['node20'],
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __bCreateRequire } from 'node:module';\nconst require = __bCreateRequire(import.meta.url);" },
  });
  await startBusyTmux();
  secret = newSecret();
  const server = await startServer({
    script: SERVER,
    env: { TMUX_MONITOR_SECRET: secret, SOAK_TMUX_SOCKET: socket, SOAK_SEND_BUFFER: String(SEND_BUFFER) },
    label: 'soak server',
  });
  url = server.url;
  // A server that dies is the soak's finding: say how, with what it printed.
  server.child.once('exit', (code, signal) => {
    if (signal !== 'SIGTERM' && signal !== 'SIGKILL') log(`the soak server exited (${code ?? signal}): ${server.stderr().slice(-2000)}`);
  });
  const statsUrl = `http://127.0.0.1:${server.port}/soak/stats`;
  const sample = async () => ({
    t: Math.round((Date.now() - started) / 1000),
    ...(await (await fetch(statsUrl)).json()),
    liveClients: live.size,
  });
  epoch = (await sample()).epoch;
  started = Date.now();

  // The recorder: everything, from the start.
  const recorder = await open(url, admin());
  recorder.handlers.add((m) => {
    if (m === null || typeof m.seq !== 'number' || m.data === undefined) {
      if (m?.type === 'system.lagged') referenceProblems++;
      return;
    }
    if (referenceFrom === null) referenceFrom = m.seq - 1;
    if (reference.has(m.seq) || (reference.size > 0 && m.seq !== referenceFrom + reference.size + 1)) referenceProblems++;
    reference.set(m.seq, { type: m.type, session: m.session });
  });
  const recorderWindow = await subscribe(recorder, 'recorder', {});
  referenceFrom = recorderWindow.from;

  const samples = [await sample()];
  const guard = (name, promise) => promise.catch((error) => log(`${name} failed: ${error.stack ?? error}`));
  const tasks = [
    ...Array.from({ length: STEADY }, (_, i) => guard(`steady ${i}`, steady(i))),
    ...Array.from({ length: RESUMERS }, (_, i) => guard(`resumer ${i}`, resumer(i))),
    every(20_000, stopper),
    every(15_000, flooder),
    every(2_000, churner),
    guard(
      'tmux faults',
      (async () => {
        while (running) {
          await sleep(rand(TMUX_RESTART_MS * 0.7, TMUX_RESTART_MS * 1.3));
          if (!running) break;
          log('fault: killing the tmux server');
          await killTmux();
          stats.tmuxRestarts++;
          await sleep(rand(2000, 6000));
          await startBusyTmux();
          log('tmux server started again');
        }
      })(),
    ),
    (async () => {
      while (running) {
        await sleep(rand(3000, 9000));
        if (running) await tmuxCommand(socket, ['new-window', '-d', '-t', 'soak-b', 'sh -c "echo window; sleep 4"']).catch(() => {});
      }
    })(),
    (async () => {
      while (running) {
        await sleep(SAMPLE_MS);
        const s = await sample().catch(() => null);
        if (s) {
          samples.push(s);
          log(
            `rss ${(s.rss / 2 ** 20).toFixed(1)} MiB, fds ${s.fds}, loop p99 ${s.loopDelayMs.p99.toFixed(1)} ms, clients ${s.clients}, seq ${s.seq}, tmux ${s.source}`,
          );
        }
      }
    })(),
  ];

  await sleep(MINUTES * 60_000);
  running = false;
  log('stopping: letting what is in flight arrive');
  await Promise.race([Promise.allSettled(tasks), sleep(70_000)]);
  await sleep(2000);
  const last = await sample();
  samples.push(last);

  // ---- the check ---------------------------------------------------------------------------
  let lost = 0;
  let duplicates = 0;
  let owedTotal = 0;
  const failures = [];
  for (const w of windows) {
    const wants = matcher(w.filters);
    const missing = [];
    for (let seq = w.from + 1; seq <= w.last; seq++) {
      const event = reference.get(seq);
      if (event === undefined || !wants(event)) continue;
      owedTotal++;
      if (!w.seqs.has(seq)) missing.push(event.type);
    }
    for (const count of w.seqs.values()) if (count > 1) duplicates += count - 1;
    const droppedOutput = missing.filter((t) => t === 'pane.output').length;
    const explained = missing.length === droppedOutput && droppedOutput === w.dropped ? droppedOutput : 0;
    if (missing.length - explained > 0) {
      lost += missing.length - explained;
      failures.push({ kind: w.kind, filters: w.filters, from: w.from, last: w.last, missing: missing.slice(0, 10), dropped: w.dropped });
    }
  }
  const first = samples[1] ?? samples[0];
  const report = {
    date: new Date().toISOString(),
    minutes: MINUTES,
    node: process.version,
    sendBufferLimit: SEND_BUFFER,
    clientsServed: stats.connections,
    eventsIssued: reference.size,
    eventsDelivered: stats.eventsDelivered,
    windowsChecked: windows.length,
    eventsOwedChecked: owedTotal,
    lost,
    duplicates,
    referenceProblems,
    faults: {
      tmuxRestarts: stats.tmuxRestarts,
      stoppers: stats.stoppers,
      flooders: stats.flooders,
      churners: stats.churners,
      badAuth: stats.badAuth,
      oversizedFrames: stats.oversized,
      resumes: stats.resumes,
      resumesIncomplete: stats.resumesIncomplete,
    },
    rateLimitErrors: stats.rateLimited,
    laggedNotices: stats.lagged,
    closes: stats.closes,
    server: {
      rssStartMiB: +(first.rss / 2 ** 20).toFixed(1),
      rssEndMiB: +(last.rss / 2 ** 20).toFixed(1),
      rssMaxMiB: +(Math.max(...samples.map((s) => s.rss)) / 2 ** 20).toFixed(1),
      heapStartMiB: +(first.heapUsed / 2 ** 20).toFixed(1),
      heapEndMiB: +(last.heapUsed / 2 ** 20).toFixed(1),
      fdsStart: first.fds,
      fdsEnd: last.fds,
      fdsMax: Math.max(...samples.map((s) => s.fds)),
      loopDelayP99MaxMs: +Math.max(...samples.map((s) => s.loopDelayMs.p99)).toFixed(1),
      loopDelayMaxMs: +Math.max(...samples.map((s) => s.loopDelayMs.max)).toFixed(1),
      slowConsumerCloses: last.slowConsumerCloses,
      outputEventsDropped: last.eventsDropped,
    },
    failures: failures.slice(0, 20),
    samples: samples.map((s) => ({
      t: s.t,
      rssMiB: +(s.rss / 2 ** 20).toFixed(1),
      heapMiB: +(s.heapUsed / 2 ** 20).toFixed(1),
      fds: s.fds,
      loopP99Ms: +s.loopDelayMs.p99.toFixed(1),
      loopMaxMs: +s.loopDelayMs.max.toFixed(1),
      clients: s.clients,
      seq: s.seq,
      tmux: s.source,
    })),
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const file = join(ROOT, 'bench', 'results', `soak-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(JSON.stringify({ ...report, samples: undefined }, null, 2));
  console.log(
    '\n| t (s) | RSS (MiB) | heap (MiB) | fds | loop p99 (ms) | loop max (ms) | clients | seq | tmux |\n|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of report.samples)
    console.log(
      `| ${s.t} | ${s.rssMiB} | ${s.heapMiB} | ${s.fds} | ${s.loopP99Ms} | ${s.loopMaxMs} | ${s.clients} | ${s.seq} | ${s.tmux} |`,
    );
  console.log(`\nreport: ${file}`);
  recorder.ws.close();
  await server.stop();
  await killTmux();
  return lost === 0 && duplicates === 0 && referenceProblems === 0 ? 0 : 1;
}

process.on('SIGINT', () => {
  killAll();
  void killTmux().finally(() => process.exit(130));
});
main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error);
    killAll();
    await killTmux();
    process.exit(1);
  },
);

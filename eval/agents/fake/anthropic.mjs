/**
 * A fake Anthropic Messages API on loopback, for driving Claude Code (and any other Messages-API client)
 * through its states without the internet.
 *
 *   import { startFakeAnthropic } from './fake/anthropic.mjs';
 *   const fake = await startFakeAnthropic();          // listens on 127.0.0.1, port 0
 *   fake.url;  fake.port;                              // 'http://127.0.0.1:PORT'
 *   fake.script([step, step, ...]);                    // queue answers for the next "turn" requests
 *   fake.release();                                    // let a held request go on (see `hold`, `holdAfter`)
 *   await fake.waitForRequest(n, { timeout });         // resolves once n turn requests have arrived in total
 *   fake.requests;                                     // every request: { method, path, body, turn, at }
 *   fake.unknown;                                      // requests to paths this fake does not know (answered 404)
 *   await fake.close();
 *
 * A "turn" request is a POST /v1/messages that carries tools (the agent's main loop). Other POST /v1/messages
 * (title, topic and quota probes: no tools) are answered with `fake.sideAnswer` (a short text) and never use
 * the script. Each turn request takes the next step from the script; with the script empty it gets
 * `fake.defaultStep` (a short text answer).
 *
 * A turn request without `stream: true` (Claude Code's non-streaming retry after a failed stream) gets the
 * same step as a plain JSON message; a `streamError` step then fails with the matching HTTP status.
 *
 * Steps (all fields optional except as noted):
 *   { text: 'Hello' }                          answer text, streamed quickly in a few chunks
 *   { text, chunkMs: 300, chunks: 20 }         streamed slowly: `chunks` pieces, `chunkMs` apart
 *   { text, holdAfter: true }                  stream the text, then hold the stream open until release()
 *   { hold: true, ...rest }                    wait before sending any byte (request in flight) until
 *                                              release(), then go on with the rest of the step
 *   { delayMs: 2000, ...rest }                 wait this long before the first byte
 *   { tool: 'Bash', input: { command: 'ls' }, text: 'Let me look.' }   a tool_use block (after optional text)
 *   { status: 500 }                            fail with an HTTP status and the matching Anthropic error body
 *                                              (400 → context-limit message, 404 → model not found,
 *                                              429 rate limit, 500 api_error, 529 overloaded); `message` overrides
 *   { status: 529, times: 20 }                 repeat this step for the next `times` turn requests (retries)
 *   { streamError: 'overloaded_error', text: 'partial' }   start streaming, then `event: error` mid-stream
 *   { stopReason: 'max_tokens' }               stop reason in message_delta (default end_turn / tool_use)
 *
 * Also answered: POST /v1/messages/count_tokens ({input_tokens}), GET /v1/models and /v1/models/:id,
 * HEAD/GET / (200). Query strings such as `?beta=true` are ignored.
 */
import { createServer } from 'node:http';

const ERRORS = {
  400: ['invalid_request_error', 'prompt is too long: 215012 tokens > 200000 maximum'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'model: claude-fake-model-404'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'This request would exceed the rate limit for your organization. Please try again later.'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

let idCounter = 0;
const newId = (prefix) => `${prefix}_fake${Date.now().toString(36)}${(idCounter++).toString(36)}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function splitText(text, n) {
  if (!text) return [];
  const parts = [];
  const size = Math.max(1, Math.ceil(text.length / n));
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(raw ? JSON.parse(raw) : null);
      } catch {
        resolve(raw);
      }
    });
    req.on('error', () => resolve(null));
  });
}

export async function startFakeAnthropic(options = {}) {
  const log = options.log ?? (() => {});
  const queue = [];
  const requests = [];
  const unknown = [];
  const open = new Set();
  let releaseWaiters = [];
  let turnCount = 0;
  let turnWaiters = [];

  const fake = {
    url: '',
    port: 0,
    requests,
    unknown,
    defaultStep: { text: 'Done.' },
    sideAnswer: 'Fake title',
    model: 'claude-sonnet-4-5',
    /** Replace the queued steps. */
    script(steps) {
      queue.length = 0;
      for (const s of steps) fake.push(s);
    },
    /** Append one step. */
    push(step) {
      const times = step.times ?? 1;
      for (let i = 0; i < times; i++) queue.push(step);
    },
    pending: () => queue.length,
    /** Release every held request (and requests that hold later resolve at once? no: only current ones). */
    release() {
      const w = releaseWaiters;
      releaseWaiters = [];
      for (const f of w) f();
    },
    get turns() {
      return turnCount;
    },
    /** Resolves once `n` turn requests have arrived since the server started. */
    waitForTurn(n, { timeout = 60000 } = {}) {
      if (turnCount >= n) return Promise.resolve(turnCount);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`fake anthropic: waited ${timeout} ms for turn request ${n}`)), timeout);
        turnWaiters.push({ n, resolve: (v) => (clearTimeout(t), resolve(v)) });
      });
    },
    async close() {
      fake.release();
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(() => r()));
    },
  };
  fake.waitForRequest = fake.waitForTurn;

  const waitRelease = () => new Promise((r) => releaseWaiters.push(r));

  function sendJson(res, status, obj, headers = {}) {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  function sendError(res, status, message) {
    const [type, msg] = ERRORS[status] ?? ['api_error', `HTTP ${status}`];
    const headers = { 'request-id': newId('req') };
    if (status === 429) headers['retry-after'] = '1';
    if (status === 529 || status === 500) headers['x-should-retry'] = 'true';
    sendJson(res, status, { type: 'error', error: { type, message: message ?? msg }, request_id: headers['request-id'] }, headers);
  }

  async function streamAnswer(req, res, body, step) {
    const model = body?.model ?? fake.model;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': newId('req'),
    });
    let closed = false;
    res.on('close', () => (closed = true));
    const ev = (event, data) => {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    };
    const usage = { input_tokens: 1200, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    ev('message_start', {
      message: { id: newId('msg'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage },
    });
    ev('ping', {});
    let index = 0;
    const text = step.text ?? (step.tool ? '' : fake.defaultStep.text);
    if (text) {
      ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
      const pieces = splitText(text, step.chunks ?? Math.min(4, text.length));
      for (const p of pieces) {
        if (closed) return;
        ev('content_block_delta', { index, delta: { type: 'text_delta', text: p } });
        if (step.chunkMs) await sleep(step.chunkMs);
      }
      if (step.streamError) {
        await sleep(step.errorAfterMs ?? 200);
        const [type, msg] = Object.values(ERRORS).find(([t]) => t === step.streamError) ?? [
          step.streamError,
          step.message ?? 'Stream error',
        ];
        ev('error', { error: { type, message: step.message ?? msg } });
        res.end();
        return;
      }
      if (step.holdAfter) {
        await waitRelease();
        if (closed) return;
      }
      ev('content_block_stop', { index });
      index++;
    } else if (step.streamError) {
      const [type, msg] = Object.values(ERRORS).find(([t]) => t === step.streamError) ?? [step.streamError, 'Stream error'];
      ev('error', { error: { type, message: step.message ?? msg } });
      res.end();
      return;
    }
    if (step.tool) {
      const input = JSON.stringify(step.input ?? {});
      ev('content_block_start', { index, content_block: { type: 'tool_use', id: newId('toolu'), name: step.tool, input: {} } });
      for (const p of splitText(input, 3)) ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: p } });
      ev('content_block_stop', { index });
      index++;
    }
    ev('message_delta', {
      delta: { stop_reason: step.stopReason ?? (step.tool ? 'tool_use' : 'end_turn'), stop_sequence: null },
      usage: { output_tokens: 42 },
    });
    ev('message_stop', {});
    res.end();
  }

  function plainMessage(res, body, text, step = {}) {
    const content = text ? [{ type: 'text', text }] : [];
    if (step.tool) content.push({ type: 'tool_use', id: newId('toolu'), name: step.tool, input: step.input ?? {} });
    sendJson(res, 200, {
      id: newId('msg'),
      type: 'message',
      role: 'assistant',
      model: body?.model ?? fake.model,
      content,
      stop_reason: step.tool ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 3 },
    });
  }

  async function onMessages(req, res, body) {
    const isTurn = Array.isArray(body?.tools) && body.tools.length > 0;
    const entry = requests[requests.length - 1];
    if (!isTurn) {
      entry.turn = false;
      if (body?.stream) return streamAnswer(req, res, body, { text: fake.sideAnswer });
      return plainMessage(res, body, fake.sideAnswer);
    }
    entry.turn = true;
    turnCount++;
    const ready = turnWaiters.filter((w) => turnCount >= w.n);
    turnWaiters = turnWaiters.filter((w) => turnCount < w.n);
    const step = queue.length ? queue.shift() : fake.defaultStep;
    entry.step = step;
    for (const w of ready) w.resolve(turnCount);
    if (step.delayMs) await sleep(step.delayMs);
    if (step.hold) await waitRelease();
    if (step.status) return sendError(res, step.status, step.message);
    // Claude Code retries a failed stream as a non-streaming request (no `stream` field).
    if (!body?.stream) {
      if (step.streamError) {
        const status = Number(Object.entries(ERRORS).find(([, [t]]) => t === step.streamError)?.[0] ?? 500);
        return sendError(res, status, step.message);
      }
      return plainMessage(res, body, step.text ?? 'Done.', step);
    }
    return streamAnswer(req, res, body, step);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    const body = req.method === 'POST' ? await readBody(req) : null;
    const entry = { method: req.method, path, query: url.search, body, at: Date.now() };
    requests.push(entry);
    log(`${req.method} ${req.url}`);
    try {
      if (req.method === 'POST' && path === '/v1/messages') return await onMessages(req, res, body);
      if (req.method === 'POST' && path === '/v1/messages/count_tokens') return sendJson(res, 200, { input_tokens: 1234 });
      if (req.method === 'GET' && path === '/v1/models') {
        return sendJson(res, 200, {
          data: [{ type: 'model', id: fake.model, display_name: 'Claude (fake)', created_at: '2025-01-01T00:00:00Z' }],
          has_more: false,
          first_id: fake.model,
          last_id: fake.model,
        });
      }
      if (req.method === 'GET' && path.startsWith('/v1/models/')) {
        const id = decodeURIComponent(path.slice('/v1/models/'.length));
        return sendJson(res, 200, { type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' });
      }
      if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') return sendJson(res, 200, { ok: true });
      unknown.push(entry);
      log(`unknown request ${req.method} ${req.url}`);
      return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake: no route ${path}` } });
    } catch (err) {
      log(`fake anthropic error: ${err?.stack ?? err}`);
      if (!res.headersSent) sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: 'fake crashed' } });
      else res.end();
    }
  });
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise((r) => server.listen(options.port ?? 0, '127.0.0.1', r));
  fake.port = server.address().port;
  fake.url = `http://127.0.0.1:${fake.port}`;
  return fake;
}

// Run standalone for exploring by hand: `node eval/agents/fake/anthropic.mjs [port]`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakeAnthropic({ port: Number(process.argv[2] ?? 0), log: (m) => console.log(m) });
  console.log(`fake anthropic at ${fake.url}`);
}

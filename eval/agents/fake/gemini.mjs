/**
 * A fake Gemini API (generativelanguage v1beta) on loopback, for driving Gemini CLI (and other
 * Gemini-API clients) through their states without the internet.
 *
 *   import { startFakeGemini } from './fake/gemini.mjs';
 *   const fake = await startFakeGemini();             // 127.0.0.1, port 0
 *   fake.url;                                          // set GOOGLE_GEMINI_BASE_URL to this
 *   fake.script([step, ...]); fake.push(step);         // answers for the next "turn" requests
 *   fake.release();                                    // let held requests go on
 *   await fake.waitForTurn(n, { timeout });            // n turn requests seen in total
 *   fake.requests; fake.unknown; await fake.close();
 *
 * Routes: POST /v1beta/models/<model>:streamGenerateContent?alt=sse (SSE), :generateContent (JSON),
 * :countTokens, GET /v1beta/models[/<model>]. Anything else is logged in `fake.unknown` and answered 404.
 *
 * A "turn" request is a (stream)GenerateContent call that carries function declarations (the agent's
 * main loop). Other calls are the CLI's helpers and never use the script: the model router (asks for
 * `model_choice` → answers `flash`), the next-speaker check (→ `user`), and anything else (→ short text,
 * or `{}` when JSON is asked for).
 *
 * Steps:
 *   { text: 'Hello' }                          answer text in a few chunks
 *   { text, chunks: 20, chunkMs: 300 }         slowly
 *   { text, holdAfter: true }                  stream the text, then keep the stream open until release()
 *   { hold: true, ...rest } / { delayMs }      wait before the first byte
 *   { tool: 'run_shell_command', args: { command: 'ls' }, text? }   a functionCall part
 *   { status: 400|403|404|429|500|503, message?, quota?: 'daily'|'minute', times? }   fail with a Google
 *                                              API error body; `quota: 'daily'` adds a QuotaFailure with a
 *                                              PerDay quota id (Gemini CLI's terminal-quota dialog),
 *                                              `retryIn: '0.2s'` adds "Please retry in …" to the message
 *   { streamError: 'message' , text? }         start streaming, then send an error object mid-stream
 */
import { createServer } from 'node:http';

const STATUS_NAMES = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};
const MESSAGES = {
  400: 'The input token count (1258300) exceeds the maximum number of tokens allowed (1048576).',
  401: 'API key not valid. Please pass a valid API key.',
  403: 'Permission denied: Consumer does not have access to this model.',
  404: 'models/gemini-fake-404 is not found for API version v1beta, or is not supported for generateContent.',
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
};

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

function errorBody(step) {
  const code = step.status;
  let message = step.message ?? MESSAGES[code] ?? `HTTP ${code}`;
  if (step.retryIn) message += ` Please retry in ${step.retryIn}.`;
  const details = [];
  if (step.quota === 'daily') {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
          quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
        },
      ],
    });
  } else if (step.quota === 'minute') {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
          quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
        },
      ],
    });
  }
  if (step.reason)
    details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: step.reason, domain: 'generativelanguage.googleapis.com' });
  return { error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN', ...(details.length ? { details } : {}) } };
}

export async function startFakeGemini(options = {}) {
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
    script(steps) {
      queue.length = 0;
      for (const s of steps) fake.push(s);
    },
    push(step) {
      for (let i = 0; i < (step.times ?? 1); i++) queue.push(step);
    },
    pending: () => queue.length,
    release() {
      const w = releaseWaiters;
      releaseWaiters = [];
      for (const f of w) f();
    },
    get turns() {
      return turnCount;
    },
    waitForTurn(n, { timeout = 60000 } = {}) {
      if (turnCount >= n) return Promise.resolve(turnCount);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`fake gemini: waited ${timeout} ms for turn request ${n}`)), timeout);
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

  function sendJson(res, status, obj) {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  const usage = { promptTokenCount: 1200, candidatesTokenCount: 20, totalTokenCount: 1220 };
  const candidate = (parts, finishReason) => ({
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    usageMetadata: usage,
    modelVersion: 'gemini-fake',
    responseId: `fake${Date.now().toString(36)}`,
  });

  /** Helper calls (router, next speaker, …): never scripted. */
  function sideAnswer(body) {
    const raw = JSON.stringify(body ?? {});
    let text = 'OK';
    if (raw.includes('model_choice')) text = JSON.stringify({ reasoning: 'Simple, bounded task.', model_choice: 'flash' });
    else if (raw.includes('next_speaker')) text = JSON.stringify({ reasoning: 'The model finished its turn.', next_speaker: 'user' });
    else if (body?.generationConfig?.responseMimeType === 'application/json') text = '{}';
    return text;
  }

  async function stream(res, step) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let closed = false;
    res.on('close', () => (closed = true));
    const send = (obj) => {
      if (!closed) res.write(`data: ${JSON.stringify(obj)}\r\n\r\n`);
    };
    const text = step.text ?? (step.tool ? '' : fake.defaultStep.text);
    const pieces = splitText(text, step.chunks ?? Math.min(4, text.length || 1));
    for (let i = 0; i < pieces.length; i++) {
      if (closed) return;
      const last = i === pieces.length - 1 && !step.tool && !step.streamError && !step.holdAfter;
      send(candidate([{ text: pieces[i] }], last ? 'STOP' : undefined));
      if (step.chunkMs) await sleep(step.chunkMs);
    }
    if (step.streamError) {
      await sleep(step.errorAfterMs ?? 200);
      send({
        error: { code: 500, message: typeof step.streamError === 'string' ? step.streamError : 'Internal error', status: 'INTERNAL' },
      });
      res.end();
      return;
    }
    if (step.holdAfter) {
      await waitRelease();
      if (closed) return;
      if (!step.tool) send(candidate([{ text: '' }], 'STOP'));
    }
    if (step.tool) send(candidate([{ functionCall: { name: step.tool, args: step.args ?? {} } }], 'STOP'));
    if (!pieces.length && !step.tool) send(candidate([{ text: '' }], 'STOP'));
    res.end();
  }

  async function onGenerate(req, res, body, method) {
    const entry = requests[requests.length - 1];
    const tools = body?.tools ?? body?.request?.tools;
    const isTurn = Array.isArray(tools) && tools.some((t) => t.functionDeclarations?.length);
    if (!isTurn) {
      entry.turn = false;
      const text = sideAnswer(body);
      if (method === 'streamGenerateContent') return stream(res, { text });
      return sendJson(res, 200, candidate([{ text }], 'STOP'));
    }
    entry.turn = true;
    turnCount++;
    const step = queue.length ? queue.shift() : fake.defaultStep;
    entry.step = step;
    const ready = turnWaiters.filter((w) => turnCount >= w.n);
    turnWaiters = turnWaiters.filter((w) => turnCount < w.n);
    for (const w of ready) w.resolve(turnCount);
    if (step.delayMs) await sleep(step.delayMs);
    if (step.hold) await waitRelease();
    if (step.status) return sendJson(res, step.status, errorBody(step));
    if (method === 'streamGenerateContent') return stream(res, step);
    const parts = [];
    if (step.text) parts.push({ text: step.text });
    if (step.tool) parts.push({ functionCall: { name: step.tool, args: step.args ?? {} } });
    return sendJson(res, 200, candidate(parts.length ? parts : [{ text: 'Done.' }], 'STOP'));
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    const body = req.method === 'POST' ? await readBody(req) : null;
    const entry = { method: req.method, path, query: url.search, body, at: Date.now() };
    requests.push(entry);
    log(`${req.method} ${req.url}`);
    try {
      const m = path.match(/^\/v1(?:beta|alpha|)\d*\/models\/([^:]+):(\w+)$/);
      if (req.method === 'POST' && m) {
        const [, model, method] = m;
        entry.model = decodeURIComponent(model);
        if (method === 'generateContent' || method === 'streamGenerateContent') return await onGenerate(req, res, body, method);
        if (method === 'countTokens') return sendJson(res, 200, { totalTokens: 1234 });
        if (method === 'embedContent') return sendJson(res, 200, { embedding: { values: new Array(8).fill(0.1) } });
      }
      if (req.method === 'GET' && /^\/v1(beta)?\/models\/?$/.test(path)) {
        return sendJson(res, 200, {
          models: [
            {
              name: 'models/gemini-3.5-flash',
              displayName: 'Gemini (fake)',
              supportedGenerationMethods: ['generateContent', 'countTokens'],
            },
          ],
        });
      }
      if (req.method === 'GET' && /^\/v1(beta)?\/models\/.+/.test(path)) {
        return sendJson(res, 200, { name: path.replace(/^\/v1(beta)?\//, ''), displayName: 'Gemini (fake)' });
      }
      unknown.push(entry);
      log(`unknown request ${req.method} ${req.url}`);
      return sendJson(res, 404, { error: { code: 404, message: `fake: no route ${path}`, status: 'NOT_FOUND' } });
    } catch (err) {
      log(`fake gemini error: ${err?.stack ?? err}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 500, message: 'fake crashed', status: 'INTERNAL' } });
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakeGemini({ port: Number(process.argv[2] ?? 0), log: (m) => console.log(m) });
  console.log(`fake gemini at ${fake.url}`);
}

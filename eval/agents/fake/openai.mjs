/**
 * A fake OpenAI server on loopback for the agent lab (issue 10): the Responses API (Codex CLI) and Chat
 * Completions (Qwen Code, opencode), both streamed as SSE, plus the small endpoints the CLIs call around
 * them (models list; anything else is logged and answered with an empty JSON object).
 *
 *   const fake = await startFakeOpenAI();            // { url: 'http://127.0.0.1:PORT/v1', port, ... }
 *   fake.script([{ text: 'Hello', chunkMs: 300 }, { tool: ['exec_command', 'shell'], args: { cmd: 'ls' } }]);
 *   fake.release();                                  // lets a held request (wait/stream: 'release') go on
 *   fake.requests;                                   // every request: { method, path, kind, body, at }
 *   await fake.close();
 *
 * The script applies to "main" requests only: the turn the person started, and its follow-ups after a
 * tool ran. Background requests answer at once and consume nothing: a request with no tools (Codex's
 * thread naming, opencode's title, Qwen's helper calls), a non-streaming request, or whatever
 * `isBackground(req)` says. With the script empty a main request gets `defaultStep` (a short text).
 *
 * A step (object, or a function (req) => step) may have:
 *   text        answer text (default 'OK.')
 *   chunkMs     pause between chunks (0 = all at once); chunks: how many pieces the text is cut into
 *   wait        ms before the response starts (headers included), or 'release' to wait for release()
 *   stream      'release': keep streaming text until release(), then finish
 *   tool        name (or list of names: the first the request offers) of a tool to call; args: its arguments
 *   status      an HTTP error status (400, 401, 404, 429, 500, ...); message: its text
 *   failAfter   fail mid-stream after this many chunks; failKind 'event' (an SSE error event, default) or 'drop';
 *               failType: the error event's type for Chat Completions (default 'server_error', which CLIs retry)
 *   times       how many main requests this step answers (default 1; Infinity = until the script changes)
 */
import { createServer } from 'node:http';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function splitText(text, n) {
  if (n <= 1 || text.length <= 1) return [text];
  const words = text.split(/(?<=\s)/);
  const per = Math.max(1, Math.ceil(words.length / n));
  const out = [];
  for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(''));
  return out;
}

function toolNames(body) {
  const tools = Array.isArray(body?.tools) ? body.tools : [];
  return tools.map((t) => t?.name ?? t?.function?.name ?? t?.type).filter(Boolean);
}

function pickTool(want, body) {
  const offered = toolNames(body);
  const list = Array.isArray(want) ? want : [want];
  return list.find((n) => offered.includes(n)) ?? list[0];
}

/** Is the request the follow-up after a tool ran (its last input is a tool result)? */
function afterTool(body) {
  if (Array.isArray(body?.input)) {
    const last = body.input[body.input.length - 1];
    return last?.type === 'function_call_output' || last?.type === 'custom_tool_call_output';
  }
  if (Array.isArray(body?.messages)) return body.messages[body.messages.length - 1]?.role === 'tool';
  return false;
}

/** Helper turns the CLIs run beside the person's turn: Qwen's sub-agents, opencode's title generator. */
function backgroundBySystemPrompt({ body }) {
  const first = Array.isArray(body?.messages) ? body.messages[0] : null;
  const text = first?.role === 'system' ? (typeof first.content === 'string' ? first.content : JSON.stringify(first.content)) : '';
  return /subagent|title generator/i.test(text.slice(0, 400));
}

function lastUserText(body) {
  const texts = [];
  const grab = (c) => {
    if (typeof c === 'string') texts.push(c);
    else if (Array.isArray(c)) for (const p of c) if (typeof p?.text === 'string') texts.push(p.text);
  };
  if (Array.isArray(body?.input)) {
    for (const it of body.input)
      if (it?.role === 'user') {
        texts.length = 0;
        grab(it.content);
      }
  } else if (Array.isArray(body?.messages)) {
    for (const m of body.messages)
      if (m?.role === 'user') {
        texts.length = 0;
        grab(m.content);
      }
  }
  return texts.join('\n');
}

export async function startFakeOpenAI(options = {}) {
  const log = options.log ?? (() => {});
  const defaultStep = options.defaultStep ?? { text: 'OK.' };
  const isBackground = options.isBackground ?? backgroundBySystemPrompt;
  const requests = [];
  let steps = [];
  let pendingReleases = 0;
  const holds = new Set();
  let seq = 0;
  const sockets = new Set();

  function hold() {
    if (pendingReleases > 0) {
      pendingReleases--;
      return { promise: Promise.resolve(), cancel() {} };
    }
    let entry;
    const promise = new Promise((resolve) => {
      entry = resolve;
      holds.add(entry);
    });
    return { promise, cancel: () => holds.delete(entry) };
  }

  function release() {
    if (holds.size === 0) {
      pendingReleases++;
      return;
    }
    for (const r of [...holds]) {
      holds.delete(r);
      r();
    }
  }

  function nextStep(req) {
    while (steps.length > 0) {
      const s = steps[0];
      const left = s.__left ?? s.times ?? 1;
      if (left <= 0) {
        steps.shift();
        continue;
      }
      s.__left = left - 1;
      if (s.__left <= 0 && s.times !== Infinity) steps.shift();
      return typeof s.fn === 'function' ? s.fn(req) : s;
    }
    return typeof defaultStep === 'function' ? defaultStep(req) : defaultStep;
  }

  function classify(path, body) {
    if (body && isBackground({ path, body })) return 'background';
    if (!body || body.stream === false || body.stream === undefined) return 'background';
    if (toolNames(body).length === 0) return 'background';
    return 'main';
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
          resolve({ __raw: raw });
        }
      });
    });
  }

  function sendError(res, status, message) {
    const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
    const code = status === 401 ? 'invalid_api_key' : status === 404 ? 'model_not_found' : status === 429 ? 'rate_limit_exceeded' : null;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: message ?? `fake error ${status}`, type, param: null, code } }));
  }

  /** Runs a step on an SSE stream: `emit.text(piece)`, `emit.finish(tool?)`, `emit.fail()`. */
  async function play(step, res, emit, req) {
    if (step.wait === 'release') {
      const h = hold();
      res.on('close', h.cancel);
      await h.promise;
    } else if (step.wait) await sleep(step.wait);
    if (res.destroyed) return;
    if (step.status) return sendError(res, step.status, step.message);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    emit.start();
    const text = step.text ?? (step.tool ? '' : 'OK.');
    let sent = 0;
    const failIf = () => {
      if (step.failAfter !== undefined && sent >= step.failAfter) {
        if (step.failKind === 'drop') res.destroy();
        else emit.fail(step.message ?? 'fake mid-stream error', step.failType);
        return true;
      }
      return false;
    };
    if (step.stream === 'release') {
      const h = hold();
      let released = false;
      h.promise.then(() => (released = true));
      res.on('close', h.cancel);
      const words = (text || 'Streaming a long answer, word by word, until released.').split(/(?<=\s)/);
      let i = 0;
      while (!released && !res.destroyed) {
        if (failIf()) return;
        emit.text(words[i % words.length] + (i % 12 === 11 ? '\n\n' : ''));
        sent++;
        i++;
        await Promise.race([sleep(step.chunkMs ?? 250), h.promise]);
      }
    } else if (text) {
      const pieces = splitText(text, step.chunks ?? (step.chunkMs ? Math.ceil(text.length / 12) : 1));
      for (const p of pieces) {
        if (failIf()) return;
        emit.text(p);
        sent++;
        if (step.chunkMs) await sleep(step.chunkMs);
        if (res.destroyed) return;
      }
    }
    if (failIf()) return;
    emit.finish(step.tool ? { name: pickTool(step.tool, req.__body), args: step.args ?? {} } : null);
  }

  function sse(res, event, data) {
    if (res.destroyed) return;
    res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  function responsesEmitter(res, body) {
    const id = `resp_${++seq}`;
    const model = body?.model ?? 'fake-model';
    const msgId = `msg_${seq}`;
    let text = '';
    let opened = false;
    const base = (status, output = []) => ({
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status,
      model,
      output,
      usage:
        status === 'completed'
          ? {
              input_tokens: 120,
              input_tokens_details: { cached_tokens: 0 },
              output_tokens: 30,
              output_tokens_details: { reasoning_tokens: 0 },
              total_tokens: 150,
            }
          : null,
    });
    const ev = (type, fields) => sse(res, type, { type, ...fields });
    const at0 = { item_id: msgId, output_index: 0, content_index: 0 };
    const openMsg = () => {
      if (opened) return;
      opened = true;
      const item = { type: 'message', id: msgId, role: 'assistant', status: 'in_progress', content: [] };
      ev('response.output_item.added', { output_index: 0, item });
      ev('response.content_part.added', { ...at0, part: { type: 'output_text', text: '', annotations: [] } });
    };
    return {
      start() {
        ev('response.created', { response: base('in_progress') });
        ev('response.in_progress', { response: base('in_progress') });
      },
      text(piece) {
        openMsg();
        text += piece;
        ev('response.output_text.delta', { ...at0, delta: piece });
      },
      finish(tool) {
        const output = [];
        if (opened) {
          const content = [{ type: 'output_text', text, annotations: [] }];
          const item = { type: 'message', id: msgId, role: 'assistant', status: 'completed', content };
          ev('response.output_text.done', { ...at0, text });
          ev('response.content_part.done', { ...at0, part: item.content[0] });
          ev('response.output_item.done', { output_index: 0, item });
          output.push(item);
        }
        if (tool) {
          const idx = output.length;
          const item = {
            type: 'function_call',
            id: `fc_${seq}`,
            call_id: `call_${seq}`,
            name: tool.name,
            arguments: JSON.stringify(tool.args),
            status: 'completed',
          };
          ev('response.output_item.added', { output_index: idx, item: { ...item, arguments: '', status: 'in_progress' } });
          ev('response.function_call_arguments.delta', { item_id: item.id, output_index: idx, delta: item.arguments });
          ev('response.function_call_arguments.done', { item_id: item.id, output_index: idx, arguments: item.arguments });
          ev('response.output_item.done', { output_index: idx, item });
          output.push(item);
        }
        ev('response.completed', { response: base('completed', output) });
        res.end();
      },
      fail(message) {
        ev('response.failed', { response: { ...base('failed'), error: { code: 'server_error', message } } });
        res.end();
      },
    };
  }

  function chatEmitter(res, body) {
    const id = `chatcmpl-${++seq}`;
    const model = body?.model ?? 'fake-model';
    const chunk = (delta, finish = null, extra = {}) => ({
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    });
    const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };
    return {
      start() {
        sse(res, null, chunk({ role: 'assistant', content: '' }));
      },
      text(piece) {
        sse(res, null, chunk({ content: piece }));
      },
      finish(tool) {
        if (tool) {
          const args = JSON.stringify(tool.args);
          const call = { index: 0, id: `call_${seq}`, type: 'function', function: { name: tool.name, arguments: '' } };
          sse(res, null, chunk({ tool_calls: [call] }));
          sse(res, null, chunk({ tool_calls: [{ index: 0, function: { arguments: args } }] }));
        }
        sse(res, null, chunk({}, tool ? 'tool_calls' : 'stop'));
        sse(res, null, { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [], usage });
        sse(res, null, '[DONE]');
        res.end();
      },
      fail(message, type = 'server_error') {
        sse(res, null, { error: { message, type, code: type } });
        res.end();
      },
    };
  }

  /** A tool-less or non-streaming request: answer at once, in the shape asked for. */
  function answerBackground(res, path, body) {
    let text = options.backgroundText ?? 'Fake lab session';
    // Codex asks for its thread title with a JSON schema ({ title }): fill each string property.
    const schema = body?.text?.format?.type === 'json_schema' ? body.text.format.schema : null;
    if (schema?.properties) {
      text = JSON.stringify(Object.fromEntries(Object.keys(schema.properties).map((k) => [k, options.backgroundText ?? 'Fake lab task'])));
    }
    if (body?.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const emit = path.endsWith('/responses') ? responsesEmitter(res, body) : chatEmitter(res, body);
      emit.start();
      emit.text(text);
      emit.finish(null);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (path.endsWith('/responses')) {
      const content = [{ type: 'output_text', text, annotations: [] }];
      const item = { type: 'message', id: `msg_${++seq}`, role: 'assistant', status: 'completed', content };
      res.end(
        JSON.stringify({
          id: `resp_${seq}`,
          object: 'response',
          status: 'completed',
          model: body?.model,
          output: [item],
          output_text: text,
          usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
        }),
      );
    } else {
      res.end(
        JSON.stringify({
          id: `chatcmpl-${++seq}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body?.model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
      );
    }
  }

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const body = req.method === 'POST' ? await readBody(req) : null;
    req.__body = body;
    const isModel = req.method === 'POST' && (path.endsWith('/responses') || path.endsWith('/chat/completions'));
    const kind = isModel ? classify(path, body) : 'other';
    const entry = {
      method: req.method,
      path,
      kind,
      body,
      at: Date.now(),
      afterTool: afterTool(body),
      user: isModel ? lastUserText(body) : '',
    };
    requests.push(entry);
    log(`${req.method} ${req.url} ${kind}${isModel ? ` tools=${toolNames(body).length}` : ''}`);
    try {
      if (req.method === 'GET' && path.endsWith('/models')) {
        const ids = options.models ?? ['fake-model'];
        res.writeHead(200, { 'content-type': 'application/json' });
        const data = ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' }));
        res.end(JSON.stringify({ object: 'list', data, models: [] }));
        return;
      }
      if (!isModel) {
        log(`unknown request ${req.method} ${req.url}`);
        res.writeHead(req.method === 'GET' ? 404 : 200, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      if (kind === 'background') return answerBackground(res, path, body);
      const step = nextStep(entry);
      entry.step = step;
      const emit = path.endsWith('/responses') ? responsesEmitter(res, body) : chatEmitter(res, body);
      await play(step, res, emit, req);
    } catch (err) {
      log(`fake server error: ${err?.stack ?? err}`);
      if (!res.headersSent) sendError(res, 500, String(err));
      else res.destroy();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    /** Replaces what is left of the script with these steps. */
    script(list) {
      steps = list.map((s) => (typeof s === 'function' ? { fn: s } : { ...s }));
    },
    /** Appends steps to the script. */
    push(...list) {
      steps.push(...list.map((s) => (typeof s === 'function' ? { fn: s } : { ...s })));
    },
    get pending() {
      return steps.length;
    },
    release,
    /** Main requests so far (the ones the script applied to). */
    get mainRequests() {
      return requests.filter((r) => r.kind === 'main');
    },
    close() {
      for (const r of [...holds]) r();
      holds.clear();
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

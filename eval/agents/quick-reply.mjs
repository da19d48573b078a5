// Live check (not part of npm test): do a prompt and a permission answer sent the way the
// dashboard sends them — `command` `send` over the WebSocket protocol, the answer's keys taken
// from the dashboard's own quick-reply code (src/dashboard/app/quick-replies.ts) applied to the
// pane's screen — reach the real Claude Code and Codex CLIs? "Reach" means: the prompt is
// submitted (the fake model server gets the turn; text followed by Enter is not a newline in
// the input box) and the permission dialog is answered (the tool runs and the answer follows).
//
//   npm run build && node eval/agents/quick-reply.mjs [claude] [codex]
//
// Uses the agent lab (eval/agents/lab.mjs): a private tmux, a clean HOME, the fake model servers.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { openLab, REPO_ROOT } from './lab.mjs';
import { startFakeAnthropic } from './fake/anthropic.mjs';
import { startFakeOpenAI } from './fake/openai.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The dashboard's quick-reply function, bundled from its TypeScript source. */
async function loadQuickReplies() {
  const out = await build({
    entryPoints: [join(REPO_ROOT, 'src/dashboard/app/quick-replies.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
  });
  const code = out.outputFiles[0].text;
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)).quickReplies;
}

/** tmux-monitor (the bundle) on the lab's tmux, and a protocol client, as the dashboard uses it. */
async function startMonitor(socket) {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'dist/tmux-monitor.mjs'), 'serve', '-L', socket, '--no-auth', '--port', '0', '--quiet', '--no-tmux-status'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`monitor did not start: ${out}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waiting = new Map();
  const seen = [];
  let id = 0;
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw));
    seen.push(msg);
    if (msg.id !== undefined && waiting.has(msg.id) && msg.type !== 'snapshot.acknowledged') {
      waiting.get(msg.id)(msg);
      waiting.delete(msg.id);
    }
  });
  const request = (message) =>
    new Promise((resolve, reject) => {
      const rid = `q${++id}`;
      const timer = setTimeout(() => reject(new Error(`no answer to ${message.action}`)), 15_000);
      waiting.set(rid, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      ws.send(JSON.stringify({ ...message, id: rid }));
    });
  await request({ action: 'subscribe', filters: { types: ['agent.*'] } });
  return {
    seen,
    request,
    async screen(pane) {
      const m = await request({ action: 'snapshot', target: { session: 'lab', pane }, lines: 60 });
      return m.data.sessions[0].windows[0].panes[0].content ?? '';
    },
    /** Exactly what the dashboard's reply box and quick-reply buttons send. */
    send(pane, text, enter = true) {
      return request({ action: 'command', target: { session: 'lab', window: 0, pane }, command: 'send', text, enter });
    },
    async stop() {
      ws.close();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

async function waitUntil(check, what, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function claude(quickReplies) {
  const API_KEY = 'sk-ant-lab-fake-key-0123456789';
  const fake = await startFakeAnthropic();
  const lab = await openLab({
    agent: 'claude',
    cols: 160,
    rows: 45,
    env: {
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: API_KEY,
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
    },
    setupHome: async (home) => {
      mkdirSync(join(home, '.claude'), { recursive: true });
      const state = {
        numStartups: 3,
        hasCompletedOnboarding: true,
        lastOnboardingVersion: '2.1.197',
        lastReleaseNotesSeen: '2.1.197',
        theme: 'dark',
        customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
        tipsHistory: { 'new-user-warmup': 1 },
        projects: { [join(home, '..', 'project')]: { hasTrustDialogAccepted: true, projectOnboardingSeenCount: 1, allowedTools: [] } },
      };
      writeFileSync(join(home, '.claude.json'), JSON.stringify(state, null, 2), { mode: 0o600 });
      writeFileSync(join(home, '.claude', 'settings.json'), '{}\n');
    },
  });
  const monitor = await startMonitor(lab.socket);
  const result = { agent: 'claude', version: '2.1.197' };
  try {
    await lab.run('claude');
    await lab.waitFor(/\? for shortcuts/, { timeout: 60_000 });
    await sleep(800);
    fake.script([
      { text: 'I will run the script.', tool: 'Bash', input: { command: 'python3 hello.py', description: 'Run hello.py' } },
      { text: 'The script printed "hello lab".' },
    ]);
    const turns = fake.turns;
    await monitor.send(lab.pane, 'run hello.py');
    await fake.waitForTurn(turns + 1, { timeout: 30_000 });
    result.prompt_submitted = true;
    await waitUntil(async () => /Do you want to proceed\?/.test(await monitor.screen(lab.pane)), 'the permission dialog');
    await sleep(500);
    const screen = await monitor.screen(lab.pane);
    const replies = quickReplies(screen, 'claude');
    result.quick_replies = replies;
    const yes = replies[0];
    if (!yes) throw new Error(`no quick replies on:\n${screen}`);
    await monitor.send(lab.pane, yes.text, yes.enter);
    await waitUntil(async () => /printed "hello lab"/.test(await lab.screen()), 'the answer after the tool ran');
    result.permission_answered = true;
    // A second dialog, declined with the last quick reply ("No").
    await lab.waitFor(/\? for shortcuts/, { timeout: 30_000 });
    fake.script([
      { text: 'I will delete the script.', tool: 'Bash', input: { command: 'rm hello.py', description: 'Delete hello.py' } },
      { text: 'Understood, I will not delete it.' },
    ]);
    await monitor.send(lab.pane, 'delete hello.py');
    await waitUntil(async () => /Do you want to proceed\?/.test(await monitor.screen(lab.pane)), 'the second permission dialog');
    await sleep(500);
    const no = quickReplies(await monitor.screen(lab.pane), 'claude').at(-1);
    result.decline_reply = no;
    await monitor.send(lab.pane, no.text, no.enter);
    await waitUntil(async () => !/Do you want to proceed\?/.test(await lab.screen()), 'the dialog to close', 30_000);
    result.permission_declined = true;
    result.attention_events = monitor.seen.filter((m) => m.type === 'agent.attention').map((m) => m.data.attention);
    await lab.send('/exit');
  } catch (error) {
    result.error = String(error.message ?? error).slice(0, 2000);
    result.screen = await lab.screen().catch(() => '');
  } finally {
    await monitor.stop();
    await lab.close().catch(() => {});
    await fake.close();
  }
  return result;
}

async function codex(quickReplies) {
  const fake = await startFakeOpenAI();
  let home;
  const lab = await openLab({
    agent: 'codex',
    cols: 160,
    rows: 45,
    env: { FAKE_OPENAI_API_KEY: 'sk-fake-lab' },
    setupHome: async (h) => {
      home = h;
      mkdirSync(join(h, '.codex'), { recursive: true });
      writeFileSync(
        join(h, '.codex', 'config.toml'),
        [
          'model = "gpt-5-codex"',
          'model_provider = "fake"',
          'approval_policy = "on-request"',
          'check_for_update_on_startup = false',
          '',
          '[model_providers.fake]',
          'name = "Fake"',
          `base_url = "${fake.url}"`,
          'env_key = "FAKE_OPENAI_API_KEY"',
          'wire_api = "responses"',
          '',
          '[analytics]',
          'enabled = false',
          '',
        ].join('\n'),
      );
    },
  });
  const monitor = await startMonitor(lab.socket);
  const result = { agent: 'codex', version: '0.171.0' };
  try {
    await lab.run('codex');
    await lab.waitFor(/Trust this folder/, { timeout: 120_000 });
    await lab.keys('Enter');
    await lab.waitFor(/default ·/, { timeout: 60_000 });
    await sleep(800);
    fake.script([
      {
        text: 'I will create the file with a shell command.',
        tool: ['exec_command', 'shell'],
        args: {
          cmd: 'touch made-by-codex.txt; echo created',
          sandbox_permissions: 'require_escalated',
          justification: 'Create made-by-codex.txt in the project?',
        },
      },
      { text: 'Created made-by-codex.txt in the project folder.' },
    ]);
    const before = fake.requests.length;
    await monitor.send(lab.pane, 'Create a file named made-by-codex.txt');
    await waitUntil(
      () => fake.requests.slice(before).some((r) => JSON.stringify(r.body ?? '').includes('made-by-codex')),
      'the prompt at the fake server',
      30_000,
    );
    result.prompt_submitted = true;
    await waitUntil(async () => /Would you like to run|Yes, proceed/i.test(await monitor.screen(lab.pane)), 'the approval dialog');
    await sleep(500);
    const screen = await monitor.screen(lab.pane);
    const replies = quickReplies(screen, 'codex');
    result.quick_replies = replies;
    const yes = replies[0];
    if (!yes) throw new Error(`no quick replies on:\n${screen}`);
    await monitor.send(lab.pane, yes.text, yes.enter);
    await waitUntil(
      async () => /Created made-by-codex\.txt in the project folder/.test(await lab.screen()),
      'the answer after the command ran',
    );
    result.permission_answered = true;
    // A second dialog, declined with the last quick reply (its key is Esc).
    await waitUntil(async () => !/esc to interrupt/.test(await lab.screen()), 'the turn to end', 60_000);
    await sleep(1000);
    fake.script([
      {
        text: 'I will delete the file.',
        tool: ['exec_command', 'shell'],
        args: { cmd: 'rm made-by-codex.txt', sandbox_permissions: 'require_escalated', justification: 'Delete made-by-codex.txt?' },
      },
      { text: 'Understood, I left the file alone.' },
    ]);
    await monitor.send(lab.pane, 'Delete made-by-codex.txt');
    await waitUntil(
      async () => /Would you like to run/i.test(await monitor.screen(lab.pane)) && /rm made-by-codex/.test(await monitor.screen(lab.pane)),
      'the second approval dialog',
    );
    await sleep(500);
    const no = quickReplies(await monitor.screen(lab.pane), 'codex').at(-1);
    result.decline_reply = no;
    await monitor.send(lab.pane, no.text, no.enter);
    await waitUntil(async () => !/Would you like to run/i.test(await lab.screen()), 'the dialog to close', 30_000);
    result.permission_declined = true;
    result.attention_events = monitor.seen.filter((m) => m.type === 'agent.attention').map((m) => m.data.attention);
  } catch (error) {
    result.error = String(error.message ?? error).slice(0, 2000);
    result.screen = await lab.screen().catch(() => '');
  } finally {
    await monitor.stop();
    // Codex leaves an app-server daemon under the private HOME: end what this run started.
    try {
      const out = execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' });
      for (const line of out.split('\n')) {
        const m = line.trim().match(/^(\d+)\s+(.*)$/);
        if (m && home && m[2].includes(home) && Number(m[1]) !== process.pid) process.kill(Number(m[1]), 'SIGTERM');
      }
    } catch {}
    await lab.close().catch(() => {});
    await fake.close();
  }
  return result;
}

const quickReplies = await loadQuickReplies();
const wanted = process.argv.slice(2);
const runs = { claude, codex };
const results = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(runs)) results.push(await runs[name](quickReplies));
console.log(JSON.stringify(results, null, 2));
process.exit(results.every((r) => r.prompt_submitted && r.permission_answered && r.permission_declined) ? 0 : 1);

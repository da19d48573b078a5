// Live check of `tmux-monitor hooks install` with the real agent CLIs (issue 10, item 5): for each
// agent, a private HOME gets the agent's hooks through the real CLI (`dist/tmux-monitor.mjs hooks
// install <agent>`), the agent runs in a lab pane against a fake model server, and a scripted turn
// goes ready → busy → waiting → busy → ready → error → busy → ready → exited. At every step the
// lab's live monitor must report the status (lab.at), and the pane's `@agent_state` — what the
// agent's own hooks set — is read back, so the table shows what the hooks did and what the
// screen did.
//
//   npm run build && node eval/agents/hooks-live.mjs [claude] [codex] [gemini] [qwen] [--json FILE]
//
// Not part of `npm test`: it runs the real CLIs (a minute or two each).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openLab, REPO_ROOT, LAB_BIN } from './lab.mjs';
import { startFakeAnthropic } from './fake/anthropic.mjs';
import { startFakeOpenAI } from './fake/openai.mjs';
import { startFakeGemini } from './fake/gemini.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'string' } } });
const BUNDLE = join(REPO_ROOT, 'dist', 'tmux-monitor.mjs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `tmux-monitor hooks install <agent>` with HOME (and nothing else of ours) pointing at the lab's home. */
function installHooks(home, agent) {
  const out = execFileSync(process.execPath, [BUNDLE, 'hooks', 'install', agent], {
    env: { PATH: process.env.PATH, HOME: home },
    encoding: 'utf8',
  });
  if (!/installed into/.test(out)) throw new Error(`hooks install ${agent}: ${out}`);
}

/**
 * The lab starts its shell with `env -i`, which drops the TMUX and TMUX_PANE that tmux gives every
 * pane (and that the hooks need): put them back as tmux would have set them.
 */
async function restoreTmuxEnv(lab) {
  const tmux = (await lab.tmux('display-message', '-p', '-t', lab.pane, '#{socket_path},#{pid},#{session_id}')).trim().replace(',$', ',');
  await lab.run(`export TMUX='${tmux}' TMUX_PANE='${lab.pane}'; clear`);
  await sleep(300);
}

/** After each lab.at, what the pane's @agent_state (the hooks' value) was. */
function trackHooks(lab) {
  const at = lab.at.bind(lab);
  lab.at = async (status, label, opts) => {
    await at(status, label, opts);
    const hook = (await lab.tmux('show-options', '-p', '-t', lab.pane, '-v', '@agent_state').catch(() => '')).trim();
    Object.assign(lab.results[lab.results.length - 1], { hook: hook || '(unset)' });
  };
}

/** Wait until the screen has not changed for `quietMs`. */
async function settle(lab, quietMs = 600) {
  let last = await lab.screen();
  let since = Date.now();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await sleep(150);
    const s = await lab.screen();
    if (s !== last) [last, since] = [s, Date.now()];
    else if (Date.now() - since >= quietMs) return;
  }
}

// --- Claude Code -------------------------------------------------------------------------------

const CLAUDE_KEY = 'sk-ant-lab-fake-key-0123456789';

async function claude() {
  const fake = await startFakeAnthropic();
  let lab;
  try {
    lab = await openLab({
      agent: 'claude',
      mode: 'live',
      env: {
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: CLAUDE_KEY,
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        CLAUDE_CODE_MAX_RETRIES: '1',
      },
      setupHome: async (home) => {
        const cwd = join(home, '..', 'project');
        const state = {
          numStartups: 3,
          hasCompletedOnboarding: true,
          lastOnboardingVersion: '2.1.197',
          lastReleaseNotesSeen: '2.1.197',
          theme: 'dark',
          customApiKeyResponses: { approved: [CLAUDE_KEY.slice(-20)], rejected: [] },
          tipsHistory: { 'new-user-warmup': 1 },
          projects: { [cwd]: { hasTrustDialogAccepted: true, projectOnboardingSeenCount: 1, allowedTools: [] } },
        };
        const { mkdirSync } = await import('node:fs');
        mkdirSync(join(home, '.claude'), { recursive: true });
        writeFileSync(join(home, '.claude.json'), JSON.stringify(state), { mode: 0o600 });
        writeFileSync(join(home, '.claude', 'settings.json'), '{}\n');
        installHooks(home, 'claude');
      },
    });
    trackHooks(lab);
    await restoreTmuxEnv(lab);
    const IDLE = /\? for shortcuts/;
    await lab.run('claude');
    await lab.waitFor(IDLE, { timeout: 60_000 });
    await settle(lab);
    await lab.at('ready', 'ready-welcome');

    fake.script([
      {
        hold: true,
        text: 'I will run the script.',
        tool: 'Bash',
        input: { command: 'sleep 3 && python3 hello.py', description: 'Run hello.py' },
      },
      { text: 'The script printed "hello lab".' },
    ]);
    const t0 = fake.turns;
    await lab.send('run hello.py');
    await fake.waitForTurn(t0 + 1);
    await lab.at('busy', 'request-in-flight');
    fake.release();
    await lab.waitFor(/Do you want to proceed\?/);
    await lab.at('waiting', 'permission-bash');
    await lab.enter(100);
    await lab.waitFor(/Running…|Running\.\.\./, { timeout: 20_000 });
    await lab.at('busy', 'tool-running');
    await lab.waitFor('printed "hello lab"', { timeout: 30_000 });
    await lab.waitFor(IDLE);
    await lab.at('ready', 'answer-after-tool');

    fake.script([{ status: 500, times: 5 }]);
    await lab.send('summarise the project');
    await lab.waitFor(/API Error/i, { timeout: 60_000 });
    await lab.at('error', 'api-error-500');

    fake.script([{ hold: true, text: 'A small demo project with one Python script.' }]);
    const t1 = fake.turns;
    await lab.send('try again');
    await fake.waitForTurn(t1 + 1);
    await lab.at('busy', 'busy-after-error');
    fake.release();
    await lab.waitFor('A small demo project');
    await lab.waitFor(IDLE);
    await lab.at('ready', 'ready-after-error');

    await lab.send('/exit');
    await lab.waitFor(/lab:project\$ $/m, { timeout: 30_000 });
    await lab.at('exited', 'exited-to-shell');
    return lab.results;
  } finally {
    if (lab) await lab.close().catch(() => {});
    await fake.close();
  }
}

/** Send a prompt; press Enter again if the TUI took the first Enter as part of the text. */
async function submit(lab, text) {
  await lab.send(text);
  for (let i = 0; i < 3; i++) {
    await sleep(1500);
    const rows = (await lab.screen()).split('\n').filter((l) => l.trim());
    const input = rows.slice(-3).join('\n');
    if (!input.includes(text)) return;
    await lab.keys('Enter');
  }
}

// --- Qwen Code ---------------------------------------------------------------------------------

async function qwen() {
  const fake = await startFakeOpenAI();
  let lab;
  try {
    lab = await openLab({
      agent: 'qwen',
      mode: 'live',
      env: {
        OPENAI_API_KEY: 'sk-fake-qwen',
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'qwen3-coder-plus',
        QWEN_TELEMETRY_ENABLED: 'false',
      },
      setupHome: async (home) => {
        const { mkdirSync } = await import('node:fs');
        mkdirSync(join(home, '.qwen'), { recursive: true });
        const settings = {
          security: { auth: { selectedType: 'openai' }, folderTrust: { enabled: false } },
          privacy: { usageStatisticsEnabled: false },
          general: { disableAutoUpdate: true, disableUpdateNag: true },
          ide: { hasSeenNudge: true },
        };
        writeFileSync(join(home, '.qwen', 'settings.json'), JSON.stringify(settings, null, 2));
        installHooks(home, 'qwen');
      },
    });
    trackHooks(lab);
    await restoreTmuxEnv(lab);
    const IDLE = /Type your message/;
    await lab.run('qwen');
    await lab.waitFor(IDLE, { timeout: 90_000 });
    await settle(lab, 1000);
    await lab.at('ready', 'ready-welcome');

    fake.script([
      {
        wait: 'release',
        text: 'I will run it.',
        tool: ['run_shell_command', 'shell'],
        args: { command: 'python3 hello.py', description: 'Run hello.py' },
      },
      { wait: 'release', text: 'The script printed "hello lab".' },
    ]);
    await submit(lab, 'run hello.py');
    await lab.at('busy', 'request-in-flight');
    fake.release();
    await lab.waitFor(/Allow|Yes, allow once|Apply this change|Do you want/i, { timeout: 60_000 });
    await lab.at('waiting', 'permission-shell');
    await lab.enter(100);
    await lab.at('busy', 'tool-done-answer-in-flight');
    fake.release();
    await lab.waitFor('printed "hello lab"', { timeout: 60_000 });
    await lab.waitFor(IDLE);
    await lab.at('ready', 'answer-after-tool');

    // 400 (Qwen Code retries 5xx and 429 for a long time first).
    fake.script([{ status: 400, times: Infinity, message: "This model's maximum context length is 8192 tokens." }]);
    await submit(lab, 'summarise the project');
    await lab.waitFor(/maximum context length|\[API Error/, { timeout: 90_000 });
    await settle(lab, 1000);
    await lab.at('error', 'api-error-400');

    fake.script([{ wait: 'release', text: 'A small demo project with one Python script.' }]);
    await submit(lab, 'try again');
    await lab.at('busy', 'busy-after-error');
    fake.release();
    await lab.waitFor('A small demo project', { timeout: 60_000 });
    await lab.waitFor(IDLE);
    await lab.at('ready', 'ready-after-error');

    await lab.send('/quit');
    await lab.waitFor(/lab:project\$ $/m, { timeout: 30_000 });
    await lab.at('exited', 'exited-to-shell');
    return lab.results;
  } finally {
    if (lab) await lab.close().catch(() => {});
    await fake.close();
  }
}

// --- Gemini CLI --------------------------------------------------------------------------------

async function gemini() {
  const fake = await startFakeGemini();
  let lab;
  try {
    lab = await openLab({
      agent: 'gemini',
      mode: 'live',
      env: { GEMINI_API_KEY: 'fake-gemini-lab-key', GOOGLE_GEMINI_BASE_URL: fake.url, GEMINI_TELEMETRY_ENABLED: 'false' },
      setupHome: async (home) => {
        const { mkdirSync } = await import('node:fs');
        const dir = join(home, '.gemini');
        mkdirSync(dir, { recursive: true });
        const settings = {
          privacy: { usageStatisticsEnabled: false },
          general: { disableAutoUpdate: true, disableUpdateNag: true, enableAutoUpdate: false, enableAutoUpdateNotification: false },
          telemetry: { enabled: false },
          security: { auth: { selectedType: 'gemini-api-key' } },
        };
        writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
        writeFileSync(join(dir, 'trustedFolders.json'), JSON.stringify({ [join(home, '..', 'project')]: 'TRUST_FOLDER' }));
        installHooks(home, 'gemini');
      },
    });
    trackHooks(lab);
    await restoreTmuxEnv(lab);
    const IDLE = /Type your message/;
    const BUSY = /esc to cancel/i;
    await lab.run('gemini');
    await lab.waitFor(IDLE, { timeout: 90_000 });
    await settle(lab, 1000);
    await lab.at('ready', 'ready-welcome');

    fake.script([
      {
        hold: true,
        text: 'I will run the script.',
        tool: 'run_shell_command',
        args: { command: 'sleep 3 && python3 hello.py', description: 'Run hello.py' },
      },
      { hold: true, text: 'The script printed "hello lab".' },
    ]);
    let t = fake.turns;
    await submit(lab, 'run hello.py');
    await fake.waitForTurn(t + 1);
    await lab.at('busy', 'request-in-flight');
    fake.release();
    await lab.waitFor(/Allow execution|Allow once/, { timeout: 30_000 });
    await lab.at('waiting', 'permission-shell');
    await lab.enter(100);
    await lab.at('busy', 'tool-running');
    await fake.waitForTurn(t + 2, { timeout: 60_000 });
    fake.release();
    await lab.waitFor('printed "hello lab"', { timeout: 60_000 });
    await lab.waitFor((s) => IDLE.test(s) && !BUSY.test(s));
    await lab.at('ready', 'answer-after-tool');

    fake.script([{ status: 400 }]);
    await submit(lab, 'summarise the project');
    await lab.waitFor(/API Error/, { timeout: 60_000 });
    await settle(lab, 1000);
    await lab.at('error', 'api-error-400');

    fake.script([{ hold: true, text: 'A small demo project with one Python script.' }]);
    t = fake.turns;
    await submit(lab, 'try again');
    await fake.waitForTurn(t + 1);
    await lab.at('busy', 'busy-after-error');
    fake.release();
    await lab.waitFor('A small demo project', { timeout: 60_000 });
    await lab.waitFor((s) => IDLE.test(s) && !BUSY.test(s));
    await lab.at('ready', 'ready-after-error');

    await lab.send('/quit');
    await lab.waitFor(/lab:project\$ $/m, { timeout: 30_000 });
    await lab.at('exited', 'exited-to-shell');
    return lab.results;
  } finally {
    if (lab) await lab.close().catch(() => {});
    await fake.close();
  }
}

// --- Codex CLI ---------------------------------------------------------------------------------

async function codex() {
  const fake = await startFakeOpenAI();
  let lab;
  try {
    lab = await openLab({
      agent: 'codex',
      mode: 'live',
      env: { FAKE_OPENAI_API_KEY: 'sk-fake-lab' },
      setupHome: async (home) => {
        const { mkdirSync } = await import('node:fs');
        mkdirSync(join(home, '.codex'), { recursive: true });
        writeFileSync(
          join(home, '.codex', 'config.toml'),
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
        installHooks(home, 'codex');
      },
    });
    trackHooks(lab);
    await restoreTmuxEnv(lab);
    const spinning = (title) => /^[\u2800-\u28ff]/.test(title);
    const turnOver = async () => {
      let calm = 0;
      const deadline = Date.now() + 90_000;
      while (calm < 2 && Date.now() < deadline) {
        const [f, sc] = await Promise.all([lab.facts(), lab.screen()]);
        calm = !spinning(f.pane_title) && !/esc to interrupt/.test(sc) ? calm + 1 : 0;
        await sleep(200);
      }
    };
    await lab.run('codex');
    await lab.waitFor(/Trust this folder/, { timeout: 120_000 });
    await lab.keys('Enter');
    // New hooks: Codex asks once; "Trust all and continue" is what a user installing them picks.
    await lab.waitFor(/Hooks need review/, { timeout: 60_000 });
    await lab.keys('Down');
    await lab.keys('Enter');
    await lab.waitFor(/default ·/, { timeout: 60_000 });
    await settle(lab, 1000);
    await lab.at('ready', 'ready-start');

    fake.script([
      {
        wait: 'release',
        text: 'I will create the file with a shell command.',
        tool: ['exec_command', 'shell'],
        args: {
          cmd: 'sleep 4; touch made-by-codex.txt; echo created',
          sandbox_permissions: 'require_escalated',
          justification: 'Create made-by-codex.txt?',
        },
      },
      { text: 'Created made-by-codex.txt in the project folder.', chunkMs: 200 },
    ]);
    await submit(lab, 'Create a file named made-by-codex.txt');
    await lab.at('busy', 'request-in-flight');
    fake.release();
    await lab.waitFor(/Would you like to run|Yes, proceed|approve|Allow/i, { timeout: 60_000 });
    await lab.at('waiting', 'permission-command');
    await lab.keys('Enter');
    await lab.waitFor((sc) => /You approved/.test(sc) && /esc to interrupt/.test(sc), { timeout: 30_000 });
    await lab.at('busy', 'tool-running');
    await lab.waitFor('Created made-by-codex.txt in the project folder.', { timeout: 60_000 });
    await turnOver();
    await lab.at('ready', 'ready-after-tool');

    fake.script([{ status: 400, message: "This model's maximum context length is 8192 tokens; your request used 9100 tokens." }]);
    await submit(lab, 'Summarise the whole repository');
    await lab.waitFor(/maximum context length/i, { timeout: 60_000 });
    await turnOver();
    await lab.at('error', 'error-400');

    fake.script([{ wait: 'release', text: 'Back again: the project has two files, README.md and hello.py.', chunkMs: 150 }]);
    await submit(lab, 'List the files');
    await lab.at('busy', 'busy-after-error');
    fake.release();
    await lab.waitFor('Back again', { timeout: 30_000 });
    await turnOver();
    await lab.at('ready', 'ready-after-recovery');

    await lab.send('/quit');
    await lab.waitFor(/lab:project\$ $/m, { timeout: 30_000 });
    await lab.at('exited', 'exited-to-shell');
    return lab.results;
  } finally {
    if (lab) {
      await lab.run('codex app-server daemon stop').catch(() => {});
      await lab.close().catch(() => {});
    }
    await fake.close();
  }
}

// --- main --------------------------------------------------------------------------------------

const WALKS = { claude, codex, gemini, qwen };
const agents = positionals.length ? positionals : Object.keys(WALKS);
if (!existsSync(BUNDLE)) throw new Error(`build first: ${BUNDLE} is missing (npm run build)`);
const report = {};
for (const agent of agents) {
  if (!WALKS[agent]) throw new Error(`no hooks walk for ${agent} (known: ${Object.keys(WALKS).join(', ')})`);
  const bin = agent === 'claude' ? 'claude' : agent;
  if (!existsSync(join(LAB_BIN, bin))) {
    console.log(`${agent}: not installed in ${LAB_BIN}; skipped`);
    continue;
  }
  console.log(`\n${agent} (hooks installed):`);
  try {
    const results = await WALKS[agent]();
    report[agent] = results;
    console.log('  step                        expected  got      @agent_state  ms    ok');
    for (const r of results) {
      console.log(
        `  ${r.label.padEnd(28)}${r.expected.padEnd(10)}${String(r.got).padEnd(9)}${String(r.hook).padEnd(14)}${String(r.ms).padEnd(6)}${r.ok ? 'ok' : 'FAIL'}`,
      );
    }
    const ok = results.filter((r) => r.ok).length;
    const byHook = results.filter((r) => r.hook === r.expected).length;
    console.log(`  ${ok}/${results.length} steps right within 1 s; @agent_state equal to the step ${byHook}/${results.length}`);
  } catch (e) {
    report[agent] = { error: e.message };
    console.log(`  FAILED: ${e.message.split('\n').slice(0, 30).join('\n  ')}`);
  }
}
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));

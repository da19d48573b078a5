// Claude Code 2.1.197 in the agent lab, against the fake Anthropic Messages API (fake/anthropic.mjs).
//
// Live mode keeps to the required sequence (ready → busy → waiting → busy → ready → error → busy →
// ready → exited) with an already onboarded HOME. Record mode starts from a fresh HOME (onboarding:
// theme, API-key confirmation, security notes, folder trust) and adds the other states a person meets.
//
// Offline setup: ANTHROPIC_BASE_URL points at the fake, ANTHROPIC_API_KEY is any string. Claude Code's
// onboarding runs a connectivity check against api.anthropic.com whenever it thinks it may log in with
// OAuth; an `apiKeyHelper` in ~/.claude/settings.json (used only for the first, onboarding run) or an
// approved key in ~/.claude.json makes it skip that check.
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLab } from '../lab.mjs';
import { startFakeAnthropic } from '../fake/anthropic.mjs';
import { instrument, settle, sleep } from './_walk-helpers.mjs';

export const agent = 'claude';
export const agentVersion = '2.1.197';

const API_KEY = 'sk-ant-lab-fake-key-0123456789';
const PROMPT_ROW = /^❯/m;
const IDLE_HINT = /\? for shortcuts/;
const BUSY_HINT = /esc to interrupt/;

function writeClaudeHome(home, { onboarded, cwd }) {
  mkdirSync(join(home, '.claude'), { recursive: true });
  if (onboarded) {
    const state = {
      numStartups: 3,
      hasCompletedOnboarding: true,
      lastOnboardingVersion: agentVersion,
      lastReleaseNotesSeen: agentVersion,
      theme: 'dark',
      customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
      tipsHistory: { 'new-user-warmup': 1 },
      projects: { [cwd]: { hasTrustDialogAccepted: true, projectOnboardingSeenCount: 1, allowedTools: [] } },
    };
    writeFileSync(join(home, '.claude.json'), JSON.stringify(state, null, 2), { mode: 0o600 });
    writeFileSync(join(home, '.claude', 'settings.json'), '{}\n');
  } else {
    // First run: the key helper keeps onboarding away from its api.anthropic.com connectivity check.
    writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ apiKeyHelper: `echo ${API_KEY}` }) + '\n');
  }
}

export async function walk(opts) {
  // Record mode (and drive mode, unless `extras: false`) adds the extra states; live keeps to the required sequence.
  const record = opts.extras ?? opts.mode !== 'live';
  const fake = await startFakeAnthropic({ log: process.env.LAB_DEBUG ? (m) => console.log(`[fake] ${m}`) : undefined });
  let lab;
  try {
    lab = await openLab({
      ...opts,
      agent,
      agentVersion,
      env: {
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: API_KEY,
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        CLAUDE_CODE_MAX_RETRIES: '2',
        ...opts.env,
      },
      setupHome: async (home) => {
        // The project folder is created next to HOME (base/project); trust it up front when onboarded.
        writeClaudeHome(home, { onboarded: !record, cwd: join(home, '..', 'project') });
        if (opts.setupHome) await opts.setupHome(home);
      },
    });
    instrument(lab);
    if (record) await onboarding(lab);
    await lab.run('claude');
    await lab.waitFor(IDLE_HINT, { timeout: 60_000 });
    await settle(lab);
    await lab.at('ready', 'ready-welcome');

    if (record) await idleExtras(lab);

    // ready → busy (request in flight) → waiting (permission) → busy (tool) → ready
    fake.script([
      {
        hold: true,
        text: 'I will run the script.',
        tool: 'Bash',
        input: { command: 'sleep 5 && python3 hello.py', description: 'Run hello.py' },
      },
      { text: 'The script printed "hello lab".' },
    ]);
    const turns0 = fake.turns;
    await lab.send('run hello.py');
    await fake.waitForTurn(turns0 + 1);
    await lab.waitFor(BUSY_HINT);
    await lab.at('busy', 'request-in-flight', { note: 'request sent, no byte of the answer yet' });
    fake.release();
    await lab.waitFor(/Do you want to proceed\?/);
    await settle(lab, { quietMs: 500 });
    await lab.at('waiting', 'permission-bash');
    await lab.enter(100);
    await lab.waitFor(/Running…|Running\.\.\./, { timeout: 20_000 });
    await lab.at('busy', 'tool-running', { note: 'Bash tool running (sleep 5 && python3 hello.py)' });
    await lab.waitFor('printed "hello lab"', { timeout: 30_000 });
    await lab.waitFor(IDLE_HINT);
    await settle(lab);
    await lab.at('ready', 'answer-after-tool');

    if (record) await busyExtras(lab, fake);

    // ready → error
    fake.script([{ status: 500, times: 3 }]);
    await lab.send('summarise the project');
    await lab.waitFor(/API Error/i, { timeout: 60_000 });
    await lab.waitFor(IDLE_HINT);
    await settle(lab);
    await lab.at('error', 'api-error-500', { note: 'HTTP 500 on every retry' });

    // error → busy (the old error still on screen) → ready
    fake.script([{ hold: true, text: 'Here is a summary: a small demo project with one Python script.' }]);
    const turns1 = fake.turns;
    await lab.send('try again');
    await fake.waitForTurn(turns1 + 1);
    await lab.waitFor(BUSY_HINT);
    await lab.at('busy', 'busy-after-error', { note: 'new prompt sent; the 500 banner is still above' });
    fake.release();
    await lab.waitFor('a small demo project');
    await lab.waitFor(IDLE_HINT);
    await settle(lab);
    await lab.at('ready', 'ready-after-error');

    if (record) await errorExtras(lab, fake);

    await lab.send('/exit');
    await lab.waitFor(/lab:project\$ $/m, { timeout: 30_000 });
    await settle(lab, { quietMs: 500 });
    await lab.at('exited', 'exited-to-shell', { agentType: 'claude' });
    return lab.results;
  } finally {
    // The CLI may still be writing into HOME while the lab removes it: never let that hide the real error.
    if (lab) await lab.close().catch((err) => console.error(`lab close: ${err.message}`));
    await fake.close();
  }
}

/** First run from an empty HOME: theme, API key, security notes, folder trust; then quit to start clean. */
async function onboarding(lab) {
  await lab.run('claude');
  await lab.waitFor('Choose the text style', { timeout: 60_000 });
  await settle(lab);
  await lab.at('waiting', 'onboarding-theme', { note: 'first run: theme picker' });
  await lab.enter(100);
  await lab.waitFor('Do you want to use this API key?');
  await settle(lab);
  await lab.at('waiting', 'api-key-confirm', { note: 'detected ANTHROPIC_API_KEY: use it? 1. Yes 2. No' });
  await lab.keys('Up');
  await lab.enter(300);
  await lab.waitFor('Press Enter to continue');
  await settle(lab);
  await lab.at('waiting', 'onboarding-security-notes', { note: 'Security notes … Press Enter to continue' });
  await lab.enter(100);
  await lab.waitFor('Yes, I trust this folder');
  await settle(lab);
  await lab.at('waiting', 'trust-folder', { note: 'Accessing workspace: Yes, I trust this folder / No, exit' });
  await lab.enter(100);
  await lab.waitFor(IDLE_HINT, { timeout: 60_000 });
  await settle(lab);
  await lab.at('ready', 'ready-first-run', { note: 'first prompt after onboarding (auth warning: key helper and env key)' });
  // Drop the key helper (the env key is approved now) and start again, as a person would next time.
  writeFileSync(join(lab.home, '.claude', 'settings.json'), '{}\n');
  await lab.send('/exit');
  await lab.waitFor(/lab:project\$ $/m, { timeout: 30_000 });
  await lab.at('exited', 'exited-after-onboarding');
  await lab.run('clear');
  await lab.waitFor((s) => !s.includes('claude'));
}

/** Idle-looking states that are still `ready`. */
async function idleExtras(lab) {
  await lab.type('explain what hello.py does');
  await settle(lab, { quietMs: 500 });
  await lab.at('ready', 'typed-unsent', { note: 'prompt typed, not sent' });
  await lab.keys('C-u');
  await lab.waitFor((s) => !s.includes('explain what hello.py'));
  await lab.type('/');
  await lab.waitFor(/\/help|\/clear|\/compact/);
  await settle(lab, { quietMs: 500 });
  await lab.at('ready', 'slash-menu-open', { note: 'slash-command menu open' });
  await lab.type('mo');
  await settle(lab, { quietMs: 500 });
  await lab.at('ready', 'slash-menu-filtered', { note: 'slash-command menu filtered by "/mo"' });
  await lab.keys('Escape');
  await sleep(200);
  await lab.keys('C-u');
  await lab.waitFor((s) => !/^❯ \/mo/m.test(s));
  await lab.waitFor(IDLE_HINT);
  await settle(lab, { quietMs: 500 });

  // Other idle footers: Shift+Tab cycles accept-edits mode and plan mode; "!" starts a shell command.
  try {
    await lab.keys('BTab');
    await lab.waitFor(/accept edits on/i, { timeout: 10_000 });
    await settle(lab, { quietMs: 500 });
    await lab.at('ready', 'ready-accept-edits-mode', { note: 'idle, footer: accept edits on' });
    await lab.keys('BTab');
    await lab.waitFor(/plan mode on/i, { timeout: 10_000 });
    await settle(lab, { quietMs: 500 });
    await lab.at('ready', 'ready-plan-mode', { note: 'idle, footer: plan mode on' });
  } catch (err) {
    console.error(`claude walk: mode footers skipped: ${err.message.split('\n')[0]}`);
  }
  const modeOn = /(accept edits|plan mode|auto mode) on|bypass permissions on/i;
  for (let i = 0, seenAuto = false; i < 5 && modeOn.test(await lab.screen()); i++) {
    await lab.keys('BTab');
    await sleep(1000);
    if (!seenAuto && /auto mode on/i.test(await lab.screen())) {
      seenAuto = true;
      await settle(lab, { quietMs: 500 });
      await lab.at('ready', 'ready-auto-mode', { note: 'idle, footer: auto mode on, with its one-time notice' });
    }
  }
  await lab.waitFor(IDLE_HINT);
  try {
    await lab.type('!');
    await lab.waitFor(/bash mode|! for bash|^!\s*$|^! /im, { timeout: 10_000 });
    await lab.type('ls -la');
    await settle(lab, { quietMs: 500 });
    await lab.at('ready', 'bash-mode-typed', { note: '"!" shell-command mode, command typed, not sent' });
  } catch (err) {
    console.error(`claude walk: bash mode skipped: ${err.message.split('\n')[0]}`);
  }
  await lab.keys('C-u');
  await sleep(300);
  await lab.keys('Escape');
  await lab.waitFor(IDLE_HINT);
  await settle(lab, { quietMs: 500 });
}

/** More busy and waiting states, each ending at the prompt. */
async function busyExtras(lab, fake) {
  // Slow streaming with the spinner row.
  fake.script([
    {
      text: 'Reading the project. '.repeat(3) + 'hello.py defines hello(name) and prints a greeting for "lab". '.repeat(3),
      chunks: 40,
      chunkMs: 250,
    },
  ]);
  await lab.send('describe the project');
  await lab.waitFor('Reading the project');
  await sleep(1500);
  await lab.at('busy', 'streaming-answer', { note: 'answer streaming in, spinner row with tokens' });
  await lab.waitFor(/greeting for "lab"\.\s*\n/);
  await lab.waitFor(IDLE_HINT);
  await settle(lab);
  await lab.at('ready', 'answer-done');

  // A stream that stalls after some text (no end): still busy.
  fake.script([{ text: 'Let me think about this step by step.\n\nFirst, the greeting.\n\n', holdAfter: true }]);
  const t0 = fake.turns;
  await lab.send('plan a refactor');
  await fake.waitForTurn(t0 + 1);
  await lab.waitFor('step by step', { timeout: 8000 }).catch(() => {});
  await sleep(2500);
  await lab.at('busy', 'streaming-stalled', { note: 'part of the answer sent, stream still open (no end)' });
  await lab.keys('Escape');
  await lab.waitFor((s) => !BUSY_HINT.test(s), { timeout: 20_000 });
  await settle(lab);
  await lab.at('ready', 'interrupted-mid-answer', { note: 'Esc while the answer streamed: interrupted notice, back at the prompt' });
  fake.release();
  await lab.keys('C-u');
  await lab.waitFor(IDLE_HINT);
  await settle(lab);

  // Prose that asks a question is not a permission prompt.
  fake.script([{ text: 'I can add type hints to hello.py. Do you want me to proceed with that change?\n\n1. Yes\n2. No' }]);
  await lab.send('what could be improved?');
  await lab.waitFor('Do you want me to proceed');
  await lab.waitFor(IDLE_HINT);
  await settle(lab);
  await lab.at('ready', 'prose-do-you-want', { note: 'assistant text asks "Do you want …?" — nothing to answer in the UI' });

  // The agent asks the user a question with choices.
  fake.script([
    {
      tool: 'AskUserQuestion',
      input: {
        questions: [
          {
            question: 'Which greeting style should hello.py use?',
            header: 'Greeting',
            multiSelect: false,
            options: [
              { label: 'Formal', description: 'Good day, <name>.' },
              { label: 'Casual', description: 'Hey <name>!' },
            ],
          },
        ],
      },
    },
    { text: 'Going with the casual greeting.' },
  ]);
  await lab.send('change the greeting');
  await lab.waitFor(/Which greeting style/);
  await settle(lab, { quietMs: 600 });
  await lab.at('waiting', 'ask-user-question', { note: 'AskUserQuestion tool: choices to pick' });
  await lab.keys('Down');
  await sleep(200);
  await lab.enter(100);
  await sleep(1000);
  // Some versions show a review/submit step after the last question.
  for (let i = 0; i < 3; i++) {
    const s = await lab.screen();
    if (s.includes('Going with the casual')) break;
    if (/Submit answers|Review your answers/i.test(s)) {
      await settle(lab, { quietMs: 400 });
      await lab.at('waiting', 'ask-user-question-submit', { note: 'review before submitting the answers' });
      await lab.enter(100);
    }
    await sleep(1000);
  }
  await lab.waitFor('Going with the casual', { timeout: 30_000 });
  await lab.waitFor(IDLE_HINT);
  await settle(lab);

  // Permission for a file write.
  fake.script([{ tool: 'Write', input: { file_path: join(lab.cwd, 'notes.txt'), content: 'lab notes\n' } }, { text: 'Wrote notes.txt.' }]);
  await lab.send('write notes.txt');
  await lab.waitFor(/Do you want to (create|make this edit|proceed)/i, { timeout: 30_000 });
  await settle(lab, { quietMs: 500 });
  await lab.at('waiting', 'permission-write-file', { note: 'Write tool: create notes.txt?' });
  await lab.enter(100);
  await lab.waitFor('Wrote notes.txt');
  await lab.waitFor(IDLE_HINT);
  await settle(lab);

  // Long tool run with output, then Esc interrupt while the request is in flight.
  fake.script([
    { tool: 'Bash', input: { command: 'for i in 1 2 3 4 5 6 7 8; do echo step $i; sleep 1; done', description: 'Count slowly' } },
    { text: 'Counted to eight.' },
  ]);
  await lab.send('count slowly');
  await lab.waitFor(/Do you want to proceed\?/);
  await lab.keys('Down');
  await sleep(200);
  await settle(lab, { quietMs: 400 });
  await lab.at('waiting', 'permission-bash-option-2', { note: 'permission prompt, second choice highlighted' });
  await lab.keys('Up');
  await sleep(200);
  await lab.enter(100);
  await lab.waitFor(/Running…|step 2/, { timeout: 20_000 });
  await sleep(2000);
  await lab.at('busy', 'tool-running-long', { note: 'long Bash command running' });
  await lab.waitFor('Counted to eight', { timeout: 40_000 });
  await lab.waitFor(IDLE_HINT);
  await settle(lab);

  fake.script([{ hold: true, text: 'never shown' }]);
  const t = fake.turns;
  await lab.send('rewrite everything');
  await fake.waitForTurn(t + 1);
  await lab.waitFor(BUSY_HINT);
  await sleep(1500);
  await lab.at('busy', 'request-in-flight-long', { note: 'waiting for the first token for a while' });
  await lab.keys('Escape');
  await lab.waitFor((s) => !BUSY_HINT.test(s), { timeout: 20_000 });
  await settle(lab);
  await lab.at('ready', 'interrupted-before-answer', { note: 'Esc before the first token: the prompt text is put back in the input' });
  fake.release();
  await lab.keys('C-u');
  await lab.waitFor(IDLE_HINT);
  await settle(lab);
}

/** Each error kind, each left on screen at the prompt. */
async function errorExtras(lab, fake) {
  const cases = [
    // The retries are slowed down so the retry notice ("529 Overloaded · Retrying in 0s · attempt 2/2") can be seen.
    ['api-error-529-overloaded', [{ status: 529 }, { status: 529, delayMs: 6000, times: 2 }], 'overloaded (529) on every retry'],
    ['api-error-400-context', [{ status: 400, times: 6 }], '400: prompt is too long (also on the automatic compaction)'],
    ['api-error-404-model', [{ status: 404, times: 3 }], '404: model not found (also on the non-streaming retry)'],
    ['api-error-429', [{ status: 429, times: 3 }], '429 rate limited on every retry'],
    [
      'api-error-midstream',
      [{ text: 'Starting the answer, then', streamError: 'overloaded_error', times: 4 }],
      'event: error mid-stream (overloaded), and 529 on the non-streaming retry',
    ],
  ];
  for (const [label, steps, note] of cases) {
    try {
      await errorCase(lab, fake, label, steps, note);
    } catch (err) {
      // One error kind this version handles differently must not cost the rest of the corpus.
      console.error(`claude walk: ${label} skipped: ${err.message.split('\n')[0]}`);
      fake.script([]);
      await lab.keys('Escape');
      await lab.waitFor(IDLE_HINT, { timeout: 60_000 });
    }
  }
  await afterErrors(lab, fake);
}

async function errorCase(lab, fake, label, steps, note) {
  fake.script(steps);
  await lab.send(`next task (${label})`);
  await lab.waitFor((s) => s.includes(`(${label})`));
  if (label === 'api-error-529-overloaded') {
    const after = (x) => x.split(`(${label})`).pop() ?? '';
    const s = await lab.waitFor((x) => x.includes(`(${label})`) && /Retrying in|API Error/.test(after(x)), { timeout: 60_000 });
    if (/Retrying in/.test(after(s))) {
      await sleep(800);
      await lab.at('busy', 'retrying-after-529', { note: 'error text in the spinner row, but Claude Code is retrying: busy' });
    }
  }
  await lab.waitFor(
    (s) => /API Error|Error|error|Context limit reached|issue with the selected model/.test(s.split(`(${label})`).pop() ?? ''),
    { timeout: 90_000 },
  );
  await lab.waitFor(IDLE_HINT, { timeout: 60_000 });
  await settle(lab);
  await lab.at('error', label, { note });
  fake.script([]);
}

async function afterErrors(lab, fake) {
  // A new prompt typed (not sent) under an error: still the error (no new turn started).
  await lab.type('what now?');
  await settle(lab, { quietMs: 500 });
  await lab.at('error', 'error-with-typed-prompt', { note: 'error banner above, next prompt typed but not sent' });
  await lab.keys('C-u');
  fake.script([{ hold: true, text: 'Back to normal.' }]);
  const t = fake.turns;
  await lab.send('continue');
  await fake.waitForTurn(t + 1);
  await lab.waitFor(BUSY_HINT);
  await lab.at('busy', 'busy-after-midstream-error');
  fake.release();
  await lab.waitFor('Back to normal.');
  await lab.waitFor(IDLE_HINT);
  await settle(lab);
}

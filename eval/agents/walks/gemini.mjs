// Gemini CLI 0.61.0 in the agent lab, against the fake Gemini API (fake/gemini.mjs).
//
// Live mode keeps to the required sequence (ready → busy → waiting → busy → ready → error → busy →
// ready → exited) with an already set-up HOME. Record mode starts from an empty HOME (folder trust,
// auth-method picker, API-key box) and adds the other states a person meets.
//
// Offline setup: GEMINI_API_KEY=any, GOOGLE_GEMINI_BASE_URL=<fake>, GEMINI_TELEMETRY_ENABLED=false;
// settings turn off usage statistics and auto-update. Each turn makes a router call
// (`:generateContent`, answered `flash`) and then `:streamGenerateContent?alt=sse`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLab } from '../lab.mjs';
import { startFakeGemini } from '../fake/gemini.mjs';
import { instrument, settle, sleep } from './_walk-helpers.mjs';

export const agent = 'gemini';
export const agentVersion = '0.61.0';

const IDLE = /Type your message/;
const BUSY = /esc to cancel/i;

function writeGeminiHome(home, { onboarded, cwd }) {
  const dir = join(home, '.gemini');
  mkdirSync(dir, { recursive: true });
  const settings = {
    privacy: { usageStatisticsEnabled: false },
    general: { disableAutoUpdate: true, disableUpdateNag: true, enableAutoUpdate: false, enableAutoUpdateNotification: false },
    telemetry: { enabled: false },
    ...(onboarded ? { security: { auth: { selectedType: 'gemini-api-key' } } } : {}),
  };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  if (onboarded) writeFileSync(join(dir, 'trustedFolders.json'), JSON.stringify({ [cwd]: 'TRUST_FOLDER' }, null, 2));
}

export async function walk(opts) {
  // Record mode (and drive mode, unless `extras: false`) adds the extra states; live keeps to the required sequence.
  const record = opts.extras ?? opts.mode !== 'live';
  const fake = await startFakeGemini({ log: process.env.LAB_DEBUG ? (m) => console.log(`[fake] ${m}`) : undefined });
  let lab;
  try {
    lab = await openLab({
      ...opts,
      agent,
      agentVersion,
      env: {
        GEMINI_API_KEY: 'fake-gemini-lab-key',
        GOOGLE_GEMINI_BASE_URL: fake.url,
        GEMINI_TELEMETRY_ENABLED: 'false',
        ...opts.env,
      },
      setupHome: async (home) => {
        writeGeminiHome(home, { onboarded: !record, cwd: join(home, '..', 'project') });
        if (opts.setupHome) await opts.setupHome(home);
      },
    });
    instrument(lab);
    await lab.run('gemini');
    if (record) await onboarding(lab);
    await lab.waitFor(IDLE, { timeout: 90_000 });
    await settle(lab);
    await lab.at('ready', 'ready-welcome');

    if (record) await idleExtras(lab);

    // ready → busy (in flight) → waiting (tool permission) → busy (tool) → ready
    fake.script([
      {
        hold: true,
        text: 'I will run the script.',
        tool: 'run_shell_command',
        args: { command: 'sleep 5 && python3 hello.py', description: 'Run hello.py' },
      },
      { text: 'The script printed "hello lab".' },
    ]);
    let t = fake.turns;
    await lab.send('run hello.py');
    await fake.waitForTurn(t + 1);
    await lab.waitFor(BUSY);
    await lab.at('busy', 'request-in-flight', { note: 'request sent, no answer yet' });
    fake.release();
    await lab.waitFor(/Allow execution|Allow once/, { timeout: 30_000 });
    await settle(lab, { quietMs: 500 });
    await lab.at('waiting', 'permission-shell', { note: 'run_shell_command: Allow once / for this session / No' });
    await lab.enter(100);
    await lab.waitFor((s) => BUSY.test(s) && !/Allow once/.test(s), { timeout: 20_000 });
    await sleep(1000);
    await lab.at('busy', 'tool-running', { note: 'shell command running (sleep 5 && python3 hello.py)' });
    await lab.waitFor('printed "hello lab"', { timeout: 60_000 });
    await lab.waitFor((s) => IDLE.test(s) && !BUSY.test(s));
    await settle(lab);
    await lab.at('ready', 'answer-after-tool');

    if (record) await busyExtras(lab, fake);

    // ready → error (400) → busy → ready
    fake.script([{ status: 400 }]);
    await lab.send('summarise the project');
    await lab.waitFor(/API Error/, { timeout: 60_000 });
    await lab.waitFor((s) => IDLE.test(s) && !BUSY.test(s));
    await settle(lab);
    await lab.at('error', 'api-error-400', { note: '✕ [API Error: …] input token count exceeds the maximum' });

    fake.script([{ hold: true, text: 'Here is a summary: a small demo project with one Python script.' }]);
    t = fake.turns;
    await lab.send('try again');
    await fake.waitForTurn(t + 1);
    await lab.waitFor(BUSY);
    await lab.at('busy', 'busy-after-error', { note: 'new prompt sent; the error is still above' });
    fake.release();
    await lab.waitFor('a small demo project', { timeout: 60_000 });
    await lab.waitFor((s) => IDLE.test(s) && !BUSY.test(s));
    await settle(lab);
    await lab.at('ready', 'ready-after-error');

    if (record) await errorExtras(lab, fake);

    await lab.send('/quit');
    await lab.waitFor(/lab:project\$ $/m, { timeout: 30_000 });
    await settle(lab, { quietMs: 500 });
    await lab.at('exited', 'exited-to-shell', { agentType: 'gemini' });
    return lab.results;
  } finally {
    if (lab) await lab.close().catch((err) => console.error(`lab close: ${err.message}`));
    await fake.close();
  }
}

/** Empty HOME: folder trust, auth-method picker, API-key box. */
async function onboarding(lab) {
  await lab.waitFor('Do you trust the files in this folder?', { timeout: 90_000 });
  await settle(lab);
  await lab.at('waiting', 'trust-folder', { note: 'Do you trust the files in this folder? 1. Trust folder …' });
  await lab.enter(100);
  await lab.waitFor('How would you like to authenticate', { timeout: 60_000 });
  await settle(lab);
  await lab.at('waiting', 'auth-method-picker', { note: 'Get started: Sign in with Google / Gemini API Key / Vertex AI' });
  await lab.enter(100);
  await lab.waitFor('Enter Gemini API Key', { timeout: 30_000 });
  await settle(lab);
  await lab.at('waiting', 'api-key-box', { note: 'Enter Gemini API Key (pre-filled from GEMINI_API_KEY)' });
  await lab.enter(100);
}

async function idleExtras(lab) {
  await lab.type('explain what hello.py does');
  await settle(lab, { quietMs: 500 });
  await lab.at('ready', 'typed-unsent', { note: 'prompt typed, not sent' });
  await lab.keys('C-u');
  await lab.waitFor(IDLE);
  await lab.type('/');
  await lab.waitFor(/\/help|\/about|\/chat|Show version info|\(1\/\d+\)/);
  await settle(lab, { quietMs: 500 });
  await lab.at('ready', 'slash-menu-open', { note: 'slash-command menu open' });
  await lab.type('mo');
  await settle(lab, { quietMs: 500 });
  await lab.at('ready', 'slash-menu-filtered', { note: 'slash-command menu filtered by "/mo"' });
  await lab.keys('C-u');
  await sleep(300);
  await lab.keys('Escape');
  await lab.waitFor(IDLE);
  await settle(lab);
}

async function busyExtras(lab, fake) {
  fake.script([
    {
      text: 'Reading the project.\n\n' + 'hello.py defines hello(name) and prints a greeting for "lab".\n\n'.repeat(4),
      chunks: 30,
      chunkMs: 300,
    },
  ]);
  await lab.send('describe the project');
  await lab.waitFor('Reading the project', { timeout: 60_000 });
  await sleep(1500);
  await lab.at('busy', 'streaming-answer', { note: 'answer streaming in' });
  await lab.waitFor((s) => IDLE.test(s) && !BUSY.test(s), { timeout: 60_000 });
  await settle(lab);
  await lab.at('ready', 'answer-done');

  fake.script([{ text: 'Let me think about this step by step.\n\nFirst, the greeting.\n\n', holdAfter: true }]);
  let t = fake.turns;
  await lab.send('plan a refactor');
  await fake.waitForTurn(t + 1);
  await lab.waitFor('step by step', { timeout: 20_000 }).catch(() => {});
  await sleep(2000);
  await lab.at('busy', 'streaming-stalled', { note: 'part of the answer shown, stream still open' });
  await lab.keys('Escape');
  await lab.waitFor((s) => !BUSY.test(s), { timeout: 20_000 });
  await settle(lab);
  await lab.at('ready', 'interrupted-esc', { note: 'Esc while streaming: "Request cancelled." notice, back at the prompt' });
  fake.release();

  fake.script([{ text: 'I can add type hints to hello.py. Do you want me to proceed with that change?\n\n1. Yes\n2. No' }]);
  await lab.send('what could be improved?');
  await lab.waitFor('Do you want me to proceed', { timeout: 60_000 });
  await lab.waitFor((s) => IDLE.test(s) && !BUSY.test(s));
  await settle(lab);
  await lab.at('ready', 'prose-do-you-want', { note: 'assistant text asks "Do you want …?" — nothing to answer in the UI' });

  // Ask-the-user question with choices (Gemini CLI's ask_user tool), when this version has it.
  fake.script([
    {
      tool: 'ask_user',
      args: {
        questions: [
          {
            question: 'Which greeting style should hello.py use?',
            header: 'Greeting',
            type: 'choice',
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
  const s = await lab.waitFor(
    (x) => /Which greeting style/.test(x) || /Going with the casual|Error|error/.test(x.split('change the greeting').pop() ?? ''),
    {
      timeout: 60_000,
    },
  );
  if (/Which greeting style/.test(s) && !/Going with the casual/.test(s)) {
    await settle(lab, { quietMs: 600 });
    await lab.at('waiting', 'ask-user-question', { note: 'ask_user tool: choices to pick' });
    await lab.keys('Down');
    await sleep(300);
    await lab.enter(100);
    for (let i = 0; i < 4; i++) {
      const x = await lab.screen();
      if (x.includes('Going with the casual')) break;
      if (/Submit|Review/i.test(x) && !x.includes('Going with')) await lab.enter(100);
      await sleep(1500);
    }
  }
  await lab.waitFor((x) => IDLE.test(x) && !BUSY.test(x), { timeout: 60_000 });
  await settle(lab);

  // File write: a diff to approve.
  fake.script([
    { tool: 'write_file', args: { file_path: join(lab.cwd, 'notes.txt'), content: 'lab notes\n' } },
    { text: 'Wrote notes.txt.' },
  ]);
  await lab.send('write notes.txt');
  await lab.waitFor(/Allow once|Apply this change/, { timeout: 60_000 });
  await settle(lab, { quietMs: 500 });
  await lab.at('waiting', 'permission-write-file', { note: 'write_file: approve the new file' });
  await lab.enter(100);
  await lab.waitFor('Wrote notes.txt.', { timeout: 60_000 });
  await lab.waitFor((x) => IDLE.test(x) && !BUSY.test(x));
  await settle(lab);

  // A long tool run.
  fake.script([
    {
      tool: 'run_shell_command',
      args: { command: 'for i in 1 2 3 4 5 6 7 8; do echo step $i; sleep 1; done', description: 'Count slowly' },
    },
    { text: 'Counted to eight.' },
  ]);
  await lab.send('count slowly');
  await lab.waitFor(/Allow once/, { timeout: 60_000 });
  await lab.keys('Down');
  await settle(lab, { quietMs: 400 });
  await lab.at('waiting', 'permission-shell-option-2', { note: 'permission prompt, second choice highlighted' });
  await lab.keys('Up');
  await sleep(200);
  await lab.enter(100);
  await lab.waitFor(/step 2/, { timeout: 30_000 });
  await sleep(1500);
  await lab.at('busy', 'tool-running-long', { note: 'long shell command printing output' });
  await lab.waitFor('Counted to eight', { timeout: 60_000 });
  await lab.waitFor((x) => IDLE.test(x) && !BUSY.test(x));
  await settle(lab);

  fake.script([{ hold: true, text: 'never shown' }]);
  t = fake.turns;
  await lab.send('rewrite everything');
  await fake.waitForTurn(t + 1);
  await lab.waitFor(BUSY);
  await sleep(2500);
  await lab.at('busy', 'request-in-flight-long', { note: 'waiting for the first token for a while' });
  await lab.keys('Escape');
  await lab.waitFor((x) => !BUSY.test(x), { timeout: 20_000 });
  await settle(lab);
  await lab.at('ready', 'interrupted-before-answer', { note: 'Esc before the first token' });
  fake.release();
  await lab.keys('C-u');
}

/** Every error kind; the quota and model-access dialogs, and the screen after "Stop". */
async function errorExtras(lab, fake) {
  const plain = [
    ['api-error-403', [{ status: 403 }], '403 permission denied'],
    // (A 500 is not here: Gemini CLI retries it ten times with backoff, minutes, before it gives up.)
    [
      'api-error-midstream',
      [{ text: 'Starting the answer, then', streamError: 'Internal error encountered.', times: 12 }],
      'error object mid-stream, retried: "✕ Model stream ended without a finish reason."',
    ],
  ];
  for (const [label, steps, note] of plain) {
    try {
      await plainError(lab, fake, label, steps, note);
    } catch (err) {
      console.error(`gemini walk: ${label} skipped: ${err.message.split('\n')[0]}`);
      await recover(lab, fake);
    }
  }
  // Dialog paths: 404 model (model access) and 429 daily quota: choose Stop.
  const dialogs = [
    ['model-not-found', [{ status: 404, times: 3 }], '404 model not found'],
    ['quota-daily', [{ status: 429, quota: 'daily', times: 3 }], '429 daily quota exhausted'],
    // (A retryable 429 is not here: Gemini CLI retries it with backoff for minutes.)
  ];
  for (const [label, steps, note] of dialogs) {
    try {
      await dialogError(lab, fake, label, steps, note);
    } catch (err) {
      console.error(`gemini walk: ${label} skipped: ${err.message.split('\n')[0]}`);
      await recover(lab, fake);
    }
  }
  await afterErrors(lab, fake);
}

async function recover(lab, fake) {
  fake.script([]);
  fake.release();
  await lab.keys('Escape');
  await sleep(500);
  await lab.keys('C-u');
  await lab.waitFor((x) => IDLE.test(x) && !BUSY.test(x), { timeout: 120_000 });
}

const done = (x) => IDLE.test(x) && !BUSY.test(x);

async function plainError(lab, fake, label, steps, note) {
  {
    fake.script(steps);
    await lab.send(`next task (${label})`);
    await lab.waitFor((x) => /API Error|✕/.test(x.split(`(${label})`).pop() ?? '') || /Keep trying|Stop/.test(x), { timeout: 300_000 });
    const s = await lab.screen();
    if (/Keep trying/.test(s) && /Stop/.test(s)) {
      await settle(lab, { quietMs: 500 });
      await lab.at('waiting', `${label}-dialog`, { note: 'retry dialog: Keep trying / Stop' });
      await chooseStop(lab);
      await settle(lab);
      await lab.at('error', `${label}-after-stop`, { note: `${note}; chose Stop` });
    } else {
      await lab.waitFor(done, { timeout: 60_000 });
      await settle(lab);
      await lab.at('error', label, { note });
    }
    fake.script([]);
  }
}

async function dialogError(lab, fake, label, steps, note) {
  {
    fake.script(steps);
    await lab.send(`next task (${label})`);
    const isDialog = (x) => /Stop/.test(x) && /Switch to|Keep trying/.test(x);
    await lab.waitFor((x) => isDialog(x) || (/API Error|✕/.test(x.split(`(${label})`).pop() ?? '') && done(x)), { timeout: 180_000 });
    // An error line may show a moment before the dialog opens: decide once the screen is still.
    await settle(lab, { quietMs: 1500, timeout: 15_000 });
    const s = await lab.screen();
    if (/Switch to|Keep trying/.test(s) && /Stop/.test(s)) {
      await settle(lab, { quietMs: 500 });
      await lab.at('waiting', `${label}-dialog`, { note: `${note}: dialog with Switch to … / Stop` });
      await chooseStop(lab);
      await settle(lab);
      await lab.at('error', `${label}-after-stop`, { note: `${note}; chose Stop` });
    } else {
      await lab.waitFor(done, { timeout: 60_000 });
      await settle(lab);
      await lab.at('error', `api-error-${label}`, { note });
    }
    fake.script([]);
  }
}

async function afterErrors(lab, fake) {
  fake.script([{ hold: true, text: 'Back to normal.' }]);
  const t = fake.turns;
  await lab.send('continue');
  await fake.waitForTurn(t + 1, { timeout: 60_000 });
  await lab.waitFor(BUSY);
  await lab.at('busy', 'busy-after-quota-stop', { note: 'new prompt after the quota dialog; old error above' });
  fake.release();
  await lab.waitFor('Back to normal.', { timeout: 60_000 });
  await lab.waitFor(done);
  await settle(lab);
}

/** Move the dialog's selection to "Stop" and choose it. */
async function chooseStop(lab) {
  for (let i = 0; i < 5; i++) {
    const s = await lab.screen();
    if (/●\s*\d\.\s*Stop/.test(s) || /❯\s*\d?\.?\s*Stop/.test(s)) break;
    await lab.keys('Down');
    await sleep(250);
  }
  await lab.enter(100);
  await lab.waitFor((x) => !/Keep trying|Switch to/.test(x) || /Type your message/.test(x), { timeout: 30_000 });
  await lab.waitFor((x) => /Type your message/.test(x) && !/esc to cancel/i.test(x), { timeout: 60_000 });
}

// GitHub Copilot CLI 1.0.102 in the agent lab, against the fake Anthropic Messages API.
//
// Copilot CLI has an offline "bring your own key" mode: COPILOT_OFFLINE=true skips GitHub sign-in,
// telemetry and updates, and COPILOT_PROVIDER_BASE_URL / COPILOT_PROVIDER_TYPE=anthropic send the model
// calls to our fake (POST /v1/messages, SSE). It is installed next to the other CLIs, in
// ~/.cache/agent-lab/extra (npm install --prefix ~/.cache/agent-lab/extra @github/copilot@1.0.102).
// It draws in the alternate screen; `pane_current_command` is `node` (npm's loader runs the native binary).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAB_DIR, LAB_BIN, openLab } from '../lab.mjs';
import { startFakeAnthropic } from '../fake/anthropic.mjs';
import { instrument, settle, sleep } from './_walk-helpers.mjs';

export const agent = 'copilot';
export const agentVersion = '1.0.102';
export const EXTRA_BIN = join(LAB_DIR, 'extra', 'node_modules', '.bin');

const IDLE = /\/ commands/;
const TRUST = 'Do you trust the files in this folder?';

export async function walk(opts) {
  if (!existsSync(join(EXTRA_BIN, 'copilot'))) {
    throw new Error(
      `copilot walk: ${join(EXTRA_BIN, 'copilot')} missing; npm install --prefix ${join(LAB_DIR, 'extra')} @github/copilot@${agentVersion}`,
    );
  }
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
        PATH: [EXTRA_BIN, LAB_BIN, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
        COPILOT_OFFLINE: 'true',
        COPILOT_PROVIDER_BASE_URL: fake.url,
        COPILOT_PROVIDER_TYPE: 'anthropic',
        COPILOT_PROVIDER_API_KEY: 'sk-ant-lab-fake',
        COPILOT_MODEL: 'claude-sonnet-4.5',
        COPILOT_AUTO_UPDATE: 'false',
        ...opts.env,
      },
    });
    instrument(lab);
    // Busy shows in the footer: "◉ Working · 96 B esc esc interrupt"; idle: "… / commands …".
    // With text in the input the footer reads "Interactive · Manual Approval · @ files · # issues".
    const idle = (s) => /\/ commands|Interactive ·/.test(tailOf(s)) && !/Working/.test(tailOf(s));
    await lab.run('copilot');
    await lab.waitFor(TRUST, { timeout: 90_000 });
    await settle(lab);
    if (record) await lab.at('waiting', 'trust-folder', { note: 'Confirm folder trust: 1. Yes 2. Yes, and remember 3. No' });
    await lab.enter(100);
    await lab.waitFor((s) => !s.includes(TRUST) && IDLE.test(s), { timeout: 60_000 });
    await settle(lab);
    await lab.at('ready', 'ready-welcome');

    if (record) {
      await lab.type('explain what hello.py does');
      await lab.waitFor((x) => /^❯ explain what hello\.py does/m.test(x));
      await settle(lab, { quietMs: 500 });
      await lab.at('ready', 'typed-unsent', { note: 'prompt typed, not sent' });
      await clearInput(lab);
      await lab.type('/');
      await lab.waitFor(/\/add-dir|\/agent|\/help/);
      await settle(lab, { quietMs: 800 });
      await lab.at('ready', 'slash-menu-open', { note: 'slash-command menu open' });
      await clearInput(lab);
    }

    fake.script([
      {
        hold: true,
        text: 'I will run the script.',
        tool: 'bash',
        input: { command: 'sleep 5 && python3 hello.py', description: 'Run hello.py' },
      },
      { text: 'The script printed "hello lab".' },
    ]);
    let t = fake.turns;
    await lab.send('run hello.py');
    await fake.waitForTurn(t + 1);
    await sleep(1500);
    await lab.at('busy', 'request-in-flight', { note: 'request sent, no answer yet' });
    fake.release();
    await lab.waitFor('Do you want to run this command?', { timeout: 30_000 });
    await settle(lab, { quietMs: 500 });
    await lab.at('waiting', 'permission-shell', { note: 'Do you want to run this command? 1. Yes 2. No' });
    await lab.enter(100);
    await lab.waitFor((s) => !s.includes('Do you want to run this command?'), { timeout: 20_000 });
    await sleep(1500);
    await lab.at('busy', 'tool-running', { note: 'shell command running (sleep 5 && python3 hello.py)' });
    await lab.waitFor('printed "hello lab"', { timeout: 60_000 });
    await lab.waitFor(idle);
    await settle(lab);
    await lab.at('ready', 'answer-after-tool');

    if (record) {
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
      await lab.waitFor(idle, { timeout: 60_000 });
      await settle(lab);

      fake.script([{ text: 'I can add type hints to hello.py. Do you want me to proceed with that change?' }]);
      await lab.send('what could be improved');
      await lab.waitFor('Do you want me to proceed', { timeout: 60_000 });
      await lab.waitFor(idle);
      await settle(lab);
      await lab.at('ready', 'prose-do-you-want', { note: 'assistant text asks "Do you want …?" — nothing to answer in the UI' });

      // The agent asks the user a question with choices (ask_user).
      fake.script([
        {
          tool: 'ask_user',
          input: {
            message: 'Which greeting style should hello.py use?',
            requestedSchema: {
              type: 'object',
              properties: { style: { type: 'string', title: 'Greeting style', enum: ['Formal', 'Casual'] } },
              required: ['style'],
            },
          },
        },
        { text: 'Going with the casual greeting.' },
      ]);
      await lab.send('change the greeting');
      try {
        await lab.waitFor(/Which greeting style/, { timeout: 30_000 });
        await settle(lab, { quietMs: 600 });
        await lab.at('waiting', 'ask-user-question', { note: 'ask_user: a question with choices' });
        await lab.keys('Down');
        await sleep(300);
        await lab.enter(100);
        for (let i = 0; i < 4 && !(await lab.screen()).includes('Going with the casual'); i++) {
          await sleep(1500);
          const x = await lab.screen();
          if (/Submit|submit/.test(tailOf(x)) && !x.includes('Going with the casual')) await lab.enter(100);
        }
        await lab.waitFor('Going with the casual', { timeout: 30_000 });
      } catch (err) {
        console.error(`copilot walk: ask-user-question skipped: ${err.message.split('\n')[0]}`);
        await lab.keys('Escape');
      }
      await lab.waitFor(idle, { timeout: 60_000 });
      await settle(lab);

      // Permission to create a file.
      fake.script([
        { tool: 'create', input: { path: join(lab.cwd, 'notes.txt'), file_text: 'lab notes\n' } },
        { text: 'Wrote notes.txt.' },
      ]);
      await lab.send('write notes.txt');
      await lab.waitFor(/Do you want to (create|make|apply|edit)|allow/i, { timeout: 30_000 });
      await settle(lab, { quietMs: 500 });
      await lab.at('waiting', 'permission-create-file', { note: 'create notes.txt: approve?' });
      await lab.enter(100);
      await lab.waitFor('Wrote notes.txt.', { timeout: 30_000 });
      await lab.waitFor(idle);
      await settle(lab);

      // A long tool run.
      fake.script([
        { tool: 'bash', input: { command: 'for i in 1 2 3 4 5 6 7 8; do echo step $i; sleep 1; done', description: 'Count slowly' } },
        { text: 'Counted to eight.' },
      ]);
      await lab.send('count slowly');
      await lab.waitFor('Do you want to run this command?', { timeout: 30_000 });
      await lab.keys('Down');
      await settle(lab, { quietMs: 400 });
      await lab.at('waiting', 'permission-shell-option-2', { note: 'permission prompt, second choice highlighted' });
      await lab.keys('Up');
      await sleep(200);
      await lab.enter(100);
      // Copilot folds the command's output ("8 lines…"): wait for the prompt to go, then a while.
      await lab.waitFor((x) => !x.includes('Do you want to run this command?'), { timeout: 20_000 });
      await sleep(2500);
      await lab.at('busy', 'tool-running-long', { note: 'long shell command running (output folded)' });
      await lab.waitFor('Counted to eight', { timeout: 60_000 });
      await lab.waitFor(idle);
      await settle(lab);

      fake.script([{ hold: true, text: 'never shown' }]);
      t = fake.turns;
      await lab.send('rewrite everything');
      await fake.waitForTurn(t + 1);
      await sleep(2000);
      await lab.at('busy', 'request-in-flight-long', { note: 'waiting for the first token for a while' });
      await lab.keys('Escape');
      await sleep(150);
      await lab.keys('Escape');
      await lab.waitFor(idle, { timeout: 20_000 });
      await settle(lab);
      await lab.at('ready', 'interrupted-esc', { note: 'Esc Esc before the first token: the prompt is back in the input' });
      fake.release();
      await clearInput(lab);
    }

    if (record) {
      // Errors that stop the turn at once (4xx), each left on screen at the prompt.
      // (No 400 "prompt is too long" here: Copilot compacts the conversation and retries on its own.)
      for (const [label, step, note] of [
        ['api-error-404-model', { status: 404, times: 8 }, '404: model not found'],
        ['api-error-429', { status: 429, times: 8 }, '429 rate limited on every retry'],
        ['api-error-529-overloaded', { status: 529, times: 8 }, '529 overloaded on every retry'],
      ]) {
        fake.script([step]);
        await lab.send(`next task (${label})`);
        try {
          // "Request failed due to a transient API error. Retrying..." is not the end: wait for ✗.
          await lab.waitFor(
            (x) => {
              const parts = x.split(`(${label})`);
              return parts.length > 1 && /✗/.test(parts.pop()) && idle(x);
            },
            { timeout: 120_000 },
          );
          await settle(lab);
          await lab.at('error', label, { note });
        } catch (err) {
          console.error(`copilot walk: ${label} skipped: ${err.message.split('\n')[0]}`);
          await lab.keys('Escape');
          await lab.waitFor(idle, { timeout: 60_000 });
        }
        fake.script([]);
      }
    }

    fake.script([{ status: 500, times: 8 }]);
    await lab.send('summarise the project');
    await lab.waitFor((s) => s.includes('summarise the project') && /✗/.test(s.split('summarise the project').pop()), { timeout: 120_000 });
    await lab.waitFor(idle, { timeout: 60_000 });
    await settle(lab);
    await lab.at('error', 'api-error-500', { note: 'HTTP 500 on every retry' });
    fake.script([]);

    fake.script([{ hold: true, text: 'Here is a summary: a small demo project with one Python script.' }]);
    t = fake.turns;
    await lab.send('try again');
    await fake.waitForTurn(t + 1);
    await sleep(1500);
    await lab.at('busy', 'busy-after-error', { note: 'new prompt sent; the error is still above' });
    fake.release();
    await lab.waitFor('a small demo project', { timeout: 60_000 });
    await lab.waitFor(idle);
    await settle(lab);
    await lab.at('ready', 'ready-after-error');

    await lab.send('/exit');
    await lab.waitFor(/lab:project\$ $/m, { timeout: 30_000 });
    await settle(lab, { quietMs: 500 });
    await lab.at('exited', 'exited-to-shell', { agentType: 'copilot' });
    return lab.results;
  } finally {
    if (lab) await lab.close().catch((err) => console.error(`lab close: ${err.message}`));
    await fake.close();
  }
}

/** Empty the prompt input (Copilot has no Ctrl+U there): Backspace until the idle footer is back. */
async function clearInput(lab) {
  const empty = (x) => {
    const input =
      x
        .split('\n')
        .filter((l) => /^❯/.test(l))
        .pop() ?? '';
    return input.trim() === '❯' && IDLE.test(tailOf(x));
  };
  for (let i = 0; i < 5 && !empty(await lab.screen()); i++) {
    await lab.keys(...Array(45).fill('BSpace'));
    await sleep(600);
  }
  await lab.waitFor(empty, { timeout: 10_000 });
}

function tailOf(screen) {
  return screen
    .split('\n')
    .filter((l) => l.trim())
    .slice(-4)
    .join('\n');
}

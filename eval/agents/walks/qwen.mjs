// Qwen Code 0.15 walk: drives the real `qwen` TUI against the fake OpenAI Chat Completions server
// (eval/agents/fake/openai.mjs) through its states. See docs/agent-lab-openai.md.
//
// Record mode starts from nothing configured, as a new user would: the folder-trust dialog (trust is
// switched on in settings), the auth-method picker and the "Custom Provider" wizard (protocol, base
// URL, API key, model IDs, review). Live mode configures the CLI through its environment
// (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL) and goes straight to the prompt.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI } from '../fake/openai.mjs';
import { openLab } from '../lab.mjs';
import { debugAt, optional, pressUntil } from '../walk-support.mjs';

export const agent = 'qwen';
export const agentVersion = '0.15.10';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function walk(opts = {}) {
  const fake = await startFakeOpenAI({ log: process.env.LAB_DEBUG ? (l) => process.stderr.write(`fake: ${l}\n`) : undefined });
  const record = opts.mode === 'record';
  let lab;
  try {
    lab = debugAt(
      await openLab({
        agentVersion,
        ...opts,
        agent,
        env: record
          ? { QWEN_TELEMETRY_ENABLED: 'false' }
          : { OPENAI_API_KEY: 'sk-fake-lab', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'qwen3-coder-plus', QWEN_TELEMETRY_ENABLED: 'false' },
        setupHome: async (home) => {
          mkdirSync(join(home, '.qwen'), { recursive: true });
          const settings = record
            ? { security: { folderTrust: { enabled: true } }, privacy: { usageStatisticsEnabled: false } }
            : { security: { auth: { selectedType: 'openai' } }, privacy: { usageStatisticsEnabled: false } };
          writeFileSync(join(home, '.qwen', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
        },
      }),
    );
    // Qwen shows a spinner row ending in "esc to cancel)" while a turn runs.
    const turnOver = async (timeout = 90_000) => {
      const deadline = Date.now() + timeout;
      let calm = 0;
      while (calm < 2) {
        const s = await lab.screen();
        calm = !/esc to cancel|Waiting for user confirmation/.test(s) ? calm + 1 : 0;
        if (Date.now() > deadline) throw new Error(`qwen: turn still running after ${timeout} ms`);
        await sleep(200);
      }
    };
    const promptBox = /Type your message/;

    await lab.run('qwen');
    if (record) {
      await lab.waitFor(/Do you trust this folder/, { timeout: 120_000 });
      await lab.at('waiting', 'trust-folder', { note: "first-run folder trust (1. Trust folder / 2. Trust parent / 3. Don't trust)" });
      await pressUntil(lab, 'Enter', /Select Authentication Method/, { timeout: 30_000 });
      await lab.at('waiting', 'auth-method-picker', { note: 'first-run auth picker' });
      await lab.keys('Down', 'Down', 'Down');
      await lab.waitFor(/› Custom Provider/, { timeout: 10_000 });
      await pressUntil(lab, 'Enter', /Step 1\/6/, { timeout: 15_000 });
      await lab.at('waiting', 'provider-wizard-protocol', { note: 'Custom Provider wizard, step 1/6: protocol' });
      await pressUntil(lab, 'Enter', /Step 2\/6/, { timeout: 15_000 });
      // The field starts with a default URL: clear it, then type the fake server's.
      await lab.keys('End');
      await lab.keys(...Array(40).fill('BSpace'));
      await lab.type(fake.url);
      await lab.waitFor((s) => s.includes(`> ${fake.url}`) && !s.includes(`${fake.url}https`), { timeout: 10_000 });
      await lab.at('waiting', 'provider-wizard-base-url', { note: 'wizard step 2/6: base URL being typed' });
      await lab.enter();
      await lab.waitFor(/Step 3\/6/, { timeout: 20_000 });
      await lab.at('waiting', 'api-key-entry', { note: 'wizard step 3/6: API key box, empty' });
      await lab.type('sk-fake-lab');
      await lab.enter();
      await lab.waitFor(/Step 4\/6/, { timeout: 20_000 });
      await lab.keys('End');
      await lab.keys(...Array(30).fill('BSpace'));
      await lab.type('qwen3-coder-plus');
      await lab.enter();
      await lab.waitFor(/Step 5\/6|Enable thinking/, { timeout: 20_000 });
      await lab.at('waiting', 'provider-wizard-advanced', { note: 'wizard step 5/6: optional generation settings' });
      await pressUntil(lab, 'Enter', /Enter to save/);
      await lab.at('waiting', 'provider-wizard-review', { note: 'wizard step 6/6: review the settings JSON' });
      await lab.keys('Enter');
    }
    await lab.waitFor(promptBox, { timeout: 120_000 });
    await lab.waitFor((s) => promptBox.test(s) && !/Step \d\/6|Select Authentication/.test(s), { timeout: 30_000 });
    await lab.at('ready', 'ready-start');

    if (record) {
      await optional(lab, 'slash-menu', async () => {
        await lab.type('/');
        await lab.waitFor(/\(1\/\d+\)/, { timeout: 15_000 });
        await lab.at('ready', 'slash-menu', { note: 'slash-command popup open' });
        await lab.keys('BSpace');
        await lab.waitFor((s) => !/\(1\/\d+\)/.test(s), { timeout: 10_000 }).catch(() => {});
      });
    }
    // Record only (live follows the required sequence): typed prompt, request in flight, streaming.
    if (record) {
      await lab.type('Explain what this project does');
      await lab.waitFor('Explain what this project does', { timeout: 15_000 });
      await lab.at('ready', 'typed-unsent', { note: 'prompt typed, not sent' });

      fake.script([
        {
          wait: 'release',
          text:
            'This project is a tiny demo. It has a README that describes it and a hello.py script that prints a ' +
            'greeting. The greeting function takes a name and returns a formatted string, and the script calls it ' +
            'once with the word lab. There are no tests yet and no dependencies to install.',
          chunkMs: 450,
        },
      ]);
      await lab.enter();
      await lab.waitFor(/esc to cancel/, { timeout: 30_000 });
      await lab.at('busy', 'request-in-flight', { note: 'spinner row, no token yet' });
      fake.release();
      await lab.waitFor(/tiny demo/, { timeout: 30_000 });
      await lab.waitFor(/↓ \d+ tokens/, { timeout: 30_000 }).catch(() => {});
      await lab.at('busy', 'streaming-answer', { note: 'answer streaming, spinner row with ↓ N tokens' });
      await lab.waitFor(/no dependencies to install/, { timeout: 60_000 });
      await turnOver();
      await lab.at('ready', 'ready-after-answer');
    }

    if (record) {
      await optional(lab, 'prose-do-you-want', async () => {
        fake.script([{ text: 'I read hello.py: it prints a greeting. Do you want me to add a test for it as well?' }]);
        await lab.send('Read hello.py');
        await lab.waitFor('add a test for it', { timeout: 30_000 });
        await turnOver();
        await lab.at('ready', 'prose-do-you-want', { note: 'the answer asks "Do you want …?" in prose; no dialog' });
      });
    }

    // Waiting on a shell-command approval; busy while it runs; ready after.
    fake.script([
      {
        wait: 'release',
        text: 'I will create the file with a shell command.',
        tool: 'run_shell_command',
        args: {
          command: "python3 -c 'import time; time.sleep(6)'; touch made-by-qwen.txt; echo created",
          description: 'Create made-by-qwen.txt',
        },
      },
      { text: 'Created made-by-qwen.txt in the project folder.', chunkMs: 200 },
    ]);
    await lab.send('Create a file named made-by-qwen.txt');
    await lab.waitFor(/esc to cancel/, { timeout: 60_000 });
    await lab.at('busy', 'tool-request-in-flight', { note: 'request sent, no token yet' });
    fake.release();
    await lab.waitFor(/Allow execution of/, { timeout: 60_000 });
    await lab.at('waiting', 'permission-command', { note: 'shell-command approval with numbered choices' });
    await lab.keys('Enter');
    await lab.waitFor((s) => !/Allow execution of/.test(s) && /esc to cancel/.test(s), { timeout: 30_000 });
    await lab.at('busy', 'tool-running', { note: 'the approved command runs (python3 sleeping 6 s)' });
    await lab.waitFor('Created made-by-qwen.txt in the project folder.', { timeout: 60_000 });
    await turnOver();
    await lab.at('ready', 'ready-after-tool');

    // Error: a 400 the CLI does not retry.
    fake.script([{ status: 400, message: "This model's maximum context length is 8192 tokens; your request used 9100 tokens." }]);
    await lab.send('Summarise the whole repository');
    await lab.waitFor(/API Error/, { timeout: 60_000 });
    await turnOver();
    await lab.at('error', 'error-400', { note: '✕ [API Error: 400 …]' });

    fake.script([{ wait: 'release', text: 'Back again: the project has two files, README.md and hello.py.', chunkMs: 150 }]);
    await lab.send('List the files');
    await lab.waitFor(/esc to cancel/, { timeout: 30_000 });
    await lab.at('busy', 'busy-after-error', { note: 'a new turn started; the 400 banner is still above' });
    fake.release();
    await lab.waitFor('Back again', { timeout: 30_000 });
    await turnOver();
    await lab.at('ready', 'ready-after-recovery');

    if (record) {
      // A file write asks for approval too (a diff with choices).
      await optional(lab, 'permission-write-file', async () => {
        fake.script([
          {
            text: 'I will add a test file.',
            tool: 'write_file',
            args: {
              file_path: join(lab.cwd, 'test_hello.py'),
              content: 'from hello import hello\n\n\ndef test_hello():\n    assert hello("x") == "hello x"\n',
            },
          },
          { text: 'Added test_hello.py.' },
        ]);
        await lab.send('Add a test for hello.py');
        await lab.waitFor(/Apply this change|Allow|Yes, allow once/, { timeout: 60_000 });
        await lab.at('waiting', 'permission-write-file', { note: 'file-write approval (diff and choices)' });
        await lab.keys('Enter');
        await lab.waitFor('Added test_hello.py.', { timeout: 60_000 });
        await turnOver();
      });

      const errorTurn = async (label, step, wait, note) => {
        await optional(lab, label, async () => {
          fake.script([{ ...step, times: Infinity }]);
          const prompt = `Try again (${label})`;
          const afterPrompt = (sc) => sc.slice(sc.lastIndexOf(prompt) + prompt.length);
          await lab.send(prompt);
          await lab.waitFor((sc) => wait.test(afterPrompt(sc)), { timeout: 60_000 });
          await turnOver(30_000);
          await lab.at('error', label, { note });
        });
        fake.script([]);
      };
      // Qwen retries 429 and 5xx for minutes with a growing backoff and nothing on screen but its
      // spinner row: busy. A person stops it with Esc.
      const retryTurn = async (label, step) => {
        const ok = await optional(lab, label, async () => {
          fake.script([{ ...step, times: Infinity }]);
          const n = fake.mainRequests.length;
          await lab.send(`Try again (${label})`);
          await lab.waitFor(() => fake.mainRequests.length >= n + 3, { timeout: 60_000 });
          await lab.waitFor(/esc to cancel/, { timeout: 10_000 });
          await lab.at('busy', label, { note: 'the CLI keeps retrying the failed request; only the spinner row shows' });
        });
        fake.script([]);
        await lab.keys('Escape');
        await turnOver(30_000).catch(() => {});
        if (ok) await lab.at('ready', `${label}-cancelled`, { note: 'retries stopped with Esc' });
      };
      await errorTurn('error-401', { status: 401, message: 'Incorrect API key provided.' }, /API Error/, '401 invalid API key');
      await errorTurn(
        'error-404',
        { status: 404, message: 'The model qwen3-coder-plus does not exist or you do not have access to it.' },
        /API Error/,
        '404 model not found',
      );
      await retryTurn('retrying-429', { status: 429, message: 'Rate limit reached for requests.' });
      await retryTurn('retrying-500', { status: 500, message: 'The server had an error while processing your request.' });
      await errorTurn(
        'error-midstream',
        { text: 'Starting the answer, then the stream breaks here and', chunkMs: 200, failAfter: 4 },
        /API Error|fake mid-stream error/,
        'error event in the middle of the stream',
      );

      await optional(lab, 'interrupted', async () => {
        const text = 'Thinking about the whole tree, one file at a time, carefully and slowly.';
        fake.script([{ stream: 'release', text, chunkMs: 300 }]);
        await lab.send('Walk through every file slowly');
        await lab.waitFor(/one file at a time/, { timeout: 30_000 });
        await lab.at('busy', 'streaming-long', { note: 'long answer streaming' });
        await lab.keys('Escape');
        await turnOver(30_000);
        await lab.at('ready', 'interrupted', { note: 'after Esc: the turn was cancelled' });
        fake.release();
        fake.script([]);
      });
    }

    if (record) {
      // The person says no to a command: the turn stops and the agent waits at its prompt.
      await optional(lab, 'permission-rejected', async () => {
        fake.script([
          {
            text: 'I will delete the build folder.',
            tool: 'run_shell_command',
            args: { command: 'rm -rf build', description: 'Delete the build folder' },
          },
          { text: 'Understood, I will not delete it.' },
        ]);
        await lab.send('Clean up the build folder');
        await lab.waitFor(/Allow execution of/, { timeout: 60_000 });
        await lab.keys('Escape');
        await lab.waitFor((s) => !/Allow execution of/.test(s), { timeout: 30_000 });
        await turnOver(60_000);
        await lab.at('ready', 'permission-rejected', { note: 'approval refused with Esc (No, suggest changes)' });
        fake.script([]);
      });

      // Plan mode (Shift+Tab cycles: auto-accept edits, YOLO, plan): the plan-approval dialog.
      await optional(lab, 'plan-approval', async () => {
        for (let i = 0; i < 4 && !/plan mode \(shift/.test(await lab.screen()); i++) {
          await lab.keys('BTab');
          await lab.waitFor(/plan mode \(shift/, { timeout: 4_000 }).catch(() => {});
        }
        await lab.waitFor(/plan mode \(shift/, { timeout: 5_000 });
        await lab.at('ready', 'plan-mode-idle', { note: 'idle in plan mode ("plan mode (shift + tab to cycle)")' });
        fake.script([
          { text: 'Here is my plan.', tool: 'exit_plan_mode', args: { plan: '1. Add test_hello.py with a pytest test.\n2. Run pytest.' } },
          { text: 'Understood, I will keep planning.' },
        ]);
        await lab.send('Plan tests for hello.py');
        await lab.waitFor(/Would you like to proceed/, { timeout: 60_000 });
        await lab.waitFor(/keep planning/, { timeout: 10_000 });
        await lab.at('waiting', 'plan-approval', { note: 'exit-plan-mode dialog with numbered choices' });
        await lab.keys('Escape');
        await turnOver(60_000);
        fake.script([]);
      });
    }

    await lab.type('/quit');
    await lab.waitFor(/\/quit/, { timeout: 10_000 });
    await lab.enter();
    await lab.waitFor((s) => /lab:project\$ *$/.test(s.trimEnd()), { timeout: 60_000 });
    await lab.at('exited', 'exited', { agentType: 'qwen', note: 'qwen quit; the shell prompt is back' });
    return lab.results;
  } finally {
    if (lab) await lab.close().catch(() => {});
    await fake.close();
  }
}

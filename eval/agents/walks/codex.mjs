// Codex CLI 0.171 walk: drives the real `codex` TUI against the fake OpenAI Responses server
// (eval/agents/fake/openai.mjs) through its states. See docs/agent-lab-openai.md for what each
// state looks like.
//
// Codex runs its model turns in an app-server daemon under the private HOME; it keeps running after
// the TUI quits, so the walk stops it (`codex app-server daemon stop`) and ends whatever is left of it
// (found by the private HOME in its command line) before closing the lab.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI } from '../fake/openai.mjs';
import { openLab } from '../lab.mjs';
import { debugAt, optional } from '../walk-support.mjs';

export const agent = 'codex';
export const agentVersion = '0.171.0';

const count = (s, re) => (s.match(new RegExp(re.source, 'g')) ?? []).length;

/** Processes started under this lab's HOME (the app-server daemon and its helper loop). */
function leftovers(home) {
  let out = '';
  try {
    out = execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(.*)$/))
    .filter((m) => m && m[2].includes(home) && Number(m[1]) !== process.pid)
    .map((m) => Number(m[1]));
}

/** End them (the daemon's helper loop can restart it, so repeat until none is left; SIGKILL at the end). */
async function stopLeftovers(home) {
  for (let i = 0; i < 30; i++) {
    const pids = leftovers(home);
    if (!pids.length) return;
    for (const pid of pids) {
      try {
        process.kill(pid, i < 15 ? 'SIGTERM' : 'SIGKILL');
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function walk(opts = {}) {
  const fake = await startFakeOpenAI({ log: process.env.LAB_DEBUG ? (l) => process.stderr.write(`fake: ${l}\n`) : undefined });
  let lab;
  try {
    lab = debugAt(
      await openLab({
        agentVersion,
        ...opts,
        agent,
        env: { FAKE_OPENAI_API_KEY: 'sk-fake-lab' },
        setupHome: async (home) => {
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
        },
      }),
    );
    const record = lab.mode === 'record';
    // Codex shows a braille spinner at the start of the terminal title while a turn runs (also while
    // it streams text with no "Working" row): the turn is over when the spinner is gone.
    const spinning = (title) => /^[\u2800-\u28ff]/.test(title);
    const turnOver = async (timeout = 90_000) => {
      const deadline = Date.now() + timeout;
      let calm = 0;
      while (calm < 2) {
        const [f, s] = await Promise.all([lab.facts(), lab.screen()]);
        calm = !spinning(f.pane_title) && !/esc to interrupt/.test(s) ? calm + 1 : 0;
        if (Date.now() > deadline) throw new Error(`codex: turn still running after ${timeout} ms (title ${f.pane_title})`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const turnStarted = () => lab.waitFor(/esc to interrupt/, { timeout: 30_000 });

    await lab.run('codex');
    // First run in a git project: the folder-trust dialog.
    await lab.waitFor(/Trust this folder/, { timeout: 120_000 });
    if (record) await lab.at('waiting', 'trust-folder', { note: 'first-run folder trust: 1. Trust and continue / 2. Back' });
    await lab.keys('Enter');
    await lab.waitFor(/default ·/, { timeout: 60_000 });
    await lab.at('ready', 'ready-start');

    if (record) {
      await optional(lab, 'slash-menu', async () => {
        await lab.type('/');
        await lab.waitFor(/\/model\s+\S|\/quit|\/review\s+\S/, { timeout: 15_000 });
        await lab.at('ready', 'slash-menu', { note: 'slash-command popup open' });
        await lab.keys('BSpace');
        await lab.waitFor((s) => !/\/quit/.test(s), { timeout: 10_000 }).catch(() => {});
      });
      await lab.type('Explain what this project does');
      await lab.waitFor('Explain what this project does', { timeout: 15_000 });
      await lab.at('ready', 'typed-unsent', { note: 'prompt typed, not sent' });
    }

    // Record only (live follows the required sequence): request in flight before the first token, then
    // streaming text (no Working row; the title carries the spinner).
    if (record) {
      fake.script([
        {
          wait: 'release',
          text:
            'This project is a tiny demo. It has a README that describes it and a hello.py script that prints a ' +
            'greeting. The greeting function takes a name and returns a formatted string, and the script calls it ' +
            'once with the word lab. There are no tests yet and no dependencies to install.',
          chunkMs: 350,
        },
      ]);
      await lab.enter();
      await lab.waitFor(/Working|esc to interrupt/, { timeout: 30_000 });
      await lab.at('busy', 'request-in-flight', { note: 'request sent, no token yet' });
      fake.release();
      await lab.waitFor(/tiny demo/, { timeout: 30_000 });
      await lab.waitFor(/README that/, { timeout: 30_000 });
      await lab.at('busy', 'streaming-answer', { note: 'answer text streaming; the title carries the spinner' });
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

    // Waiting: a command that needs approval; busy while it runs; ready after.
    fake.script([
      {
        wait: 'release',
        text: 'I will create the file with a shell command.',
        tool: ['exec_command', 'shell'],
        args: {
          cmd: 'sleep 6; touch made-by-codex.txt; echo created',
          sandbox_permissions: 'require_escalated',
          justification: 'Create made-by-codex.txt in the project?',
        },
      },
      { text: 'Created made-by-codex.txt in the project folder.', chunkMs: 200 },
    ]);
    await lab.send('Create a file named made-by-codex.txt');
    await lab.waitFor(/esc to interrupt/, { timeout: 60_000 });
    await lab.at('busy', 'tool-request-in-flight', { note: 'request sent, no token yet' });
    fake.release();
    await lab.waitFor(/Would you like to run|Yes, proceed|approve|Allow/i, { timeout: 60_000 });
    await lab.at('waiting', 'permission-command', { note: 'approve-command dialog' });
    await lab.keys('Enter');
    await lab.waitFor((s) => /You approved/.test(s) && /esc to interrupt/.test(s), { timeout: 30_000 });
    await lab.at('busy', 'tool-running', { note: 'the approved command runs (sleep 6)' });
    await lab.waitFor('Created made-by-codex.txt in the project folder.', { timeout: 60_000 });
    await turnOver();
    await lab.at('ready', 'ready-after-tool');

    // Error: a 400 the CLI does not retry.
    fake.script([{ status: 400, message: "This model's maximum context length is 8192 tokens; your request used 9100 tokens." }]);
    await lab.send('Summarise the whole repository');
    await lab.waitFor(/maximum context length|400|error/i, { timeout: 60_000 });
    await lab.waitFor((s) => !/esc to interrupt/.test(s), { timeout: 60_000 });
    await lab.at('error', 'error-400', { note: 'HTTP 400 context length' });

    // The next turn starts with the old error still on screen: busy.
    fake.script([{ wait: 'release', text: 'Back again: the project has two files, README.md and hello.py.', chunkMs: 150 }]);
    await lab.send('List the files');
    await lab.waitFor(/Working|esc to interrupt/, { timeout: 30_000 });
    await lab.at('busy', 'busy-after-error', { note: 'a new turn started; the 400 banner is still above' });
    fake.release();
    await lab.waitFor('Back again', { timeout: 30_000 });
    await turnOver();
    await lab.at('ready', 'ready-after-recovery');

    if (record) {
      const errorTurn = async (label, step, wait, note, midLabel) => {
        await optional(lab, label, async () => {
          fake.script([{ ...step, times: Infinity }]);
          const prompt = `Try again (${label})`;
          const afterPrompt = (sc) => sc.slice(sc.lastIndexOf(prompt) + prompt.length);
          await lab.send(prompt);
          const started = (sc) => sc.includes(prompt) && (/esc to interrupt/.test(sc) || wait.test(afterPrompt(sc)));
          await lab.waitFor(started, { timeout: 30_000 });
          if (midLabel) {
            await lab.waitFor(/Reconnecting|Retrying|retry/i, { timeout: 90_000 });
            await lab.at('busy', midLabel, { note: 'retrying the failed request' });
          }
          await turnOver(180_000);
          await lab.waitFor((sc) => wait.test(afterPrompt(sc)), { timeout: 15_000 });
          await lab.at('error', label, { note });
          fake.script([]);
        });
      };
      await errorTurn(
        'error-500',
        { status: 500, message: 'The server had an error while processing your request.' },
        /500|error/i,
        'HTTP 500 after the retries',
        'reconnecting-500',
      );
      await errorTurn(
        'error-429',
        { status: 429, message: 'Rate limit reached for requests. Please try again in 20s.' },
        /429|limit/i,
        '429 rate limit',
      );
      await errorTurn(
        'error-401',
        { status: 401, message: 'Incorrect API key provided.' },
        /401|API key|Unauthorized/i,
        '401 after Reconnecting… n/5',
        'reconnecting-401',
      );
      await errorTurn(
        'error-404',
        { status: 404, message: 'The model gpt-5-codex does not exist or you do not have access to it.' },
        /404|does not exist/i,
        '404 model not found',
      );
      await errorTurn(
        'error-midstream',
        { text: 'Starting the answer, then the stream breaks here and', chunkMs: 200, failAfter: 4 },
        /error|disconnected|stream/i,
        'response.failed in the middle of the stream',
        'midstream-retrying',
      );

      // Esc while streaming: Codex prints an interrupt notice; that is ready, not error.
      await optional(lab, 'interrupted', async () => {
        const text = 'Thinking about the whole tree, one file at a time, carefully and slowly.';
        fake.script([{ stream: 'release', text, chunkMs: 300 }]);
        await lab.send('Walk through every file slowly');
        await lab.waitFor(/one file at a time/, { timeout: 30_000 });
        await lab.at('busy', 'streaming-long', { note: 'long answer streaming' });
        await lab.keys('Escape');
        await lab.waitFor(/interrupted|Interrupted/, { timeout: 30_000 });
        await lab.waitFor((s) => !/esc to interrupt/.test(s), { timeout: 30_000 }).catch(() => {});
        await lab.at('ready', 'interrupted', { note: 'after Esc: "Conversation interrupted" notice' });
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
            tool: ['exec_command', 'shell'],
            args: { cmd: 'rm -rf build', sandbox_permissions: 'require_escalated', justification: 'Delete the build folder?' },
          },
          { text: 'Understood, I will not delete it.' },
        ]);
        await lab.send('Clean up the build folder');
        await lab.waitFor(/Would you like to run the following command/, { timeout: 60_000 });
        await lab.keys('Escape');
        await lab.waitFor((s) => !/Would you like to run the following command/.test(s), { timeout: 30_000 });
        await turnOver(60_000);
        await lab.at('ready', 'permission-rejected', { note: 'approval refused with Esc (No, and tell Codex what to do differently)' });
        fake.script([]);
      });

      // The agent's own question with choices (request_user_input; Codex offers it in Plan mode).
      await optional(lab, 'question', async () => {
        fake.script([
          {
            text: 'One question first.',
            tool: 'request_user_input',
            args: {
              questions: [
                {
                  id: 'test_framework',
                  header: 'Tests',
                  question: 'Which test framework should I use for hello.py?',
                  options: [
                    { label: 'pytest (Recommended)', description: 'Plain asserts, the common choice.' },
                    { label: 'unittest', description: 'Standard library only, no install.' },
                  ],
                },
              ],
            },
          },
          { text: 'Good, pytest it is. I will write the tests next time you ask.' },
        ]);
        await lab.keys('BTab');
        await lab.waitFor(/Plan mode|plan mode|Plan ·|· plan/i, { timeout: 8_000 }).catch(() => {});
        if (process.env.LAB_DEBUG) process.stderr.write(`after BTab:\n${await lab.screen()}\n`);
        await lab.send('Plan tests for hello.py');
        await lab.waitFor(/Which test framework/, { timeout: 30_000 });
        await lab.waitFor(/unittest/, { timeout: 10_000 });
        await lab.at('waiting', 'question', { note: 'the agent asks the user a question with choices' });
        await lab.keys('Enter');
        await lab.waitFor(/pytest it is|request_user_input/, { timeout: 30_000 }).catch(() => {});
        await turnOver(60_000).catch(async () => {
          await lab.keys('Escape');
          await turnOver(30_000);
        });
        fake.script([]);
      });
    }

    // Quit back to the shell.
    await lab.type('/quit');
    await lab.waitFor(/\/quit/, { timeout: 10_000 });
    await lab.enter();
    await lab.waitFor(/codex resume|lab:project\$\s*$/m, { timeout: 60_000 });
    await lab.waitFor((s) => /lab:project\$ *$/.test(s.trimEnd()), { timeout: 30_000 });
    await lab.at('exited', 'exited', { agentType: 'codex', note: 'codex quit; the shell prompt is back' });
    return lab.results;
  } finally {
    if (lab) {
      await lab.run('codex app-server daemon stop >/dev/null 2>&1').catch(() => {});
      await lab.waitFor((s) => (s.match(/lab:project\$/g) ?? []).length >= 2, { timeout: 20_000 }).catch(() => {});
      await stopLeftovers(lab.home);
      await lab.close().catch(async () => {
        await stopLeftovers(lab.home);
        await lab.close().catch(() => {});
      });
    }
    await fake.close();
  }
}

// opencode 1.18 walk: drives the real `opencode` TUI (full-screen, alternate screen) against the fake
// OpenAI Chat Completions server (eval/agents/fake/openai.mjs) through its states. See
// docs/agent-lab-openai.md.
//
// opencode is configured by ~/.config/opencode/opencode.json: one provider through
// @ai-sdk/openai-compatible pointing at the fake server, "bash": "ask" so shell commands need
// approval, no autoupdate, no sharing; env switches off the models.dev fetch and LSP downloads.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI } from '../fake/openai.mjs';
import { openLab } from '../lab.mjs';
import { debugAt, optional } from '../walk-support.mjs';

export const agent = 'opencode';
export const agentVersion = '1.18.33';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function walk(opts = {}) {
  const fake = await startFakeOpenAI({ log: process.env.LAB_DEBUG ? (l) => process.stderr.write(`fake: ${l}\n`) : undefined });
  let lab;
  try {
    lab = debugAt(
      await openLab({
        agentVersion,
        ...opts,
        agent,
        env: { OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1' },
        setupHome: async (home) => {
          mkdirSync(join(home, '.config', 'opencode'), { recursive: true });
          const config = {
            $schema: 'https://opencode.ai/config.json',
            autoupdate: false,
            share: 'disabled',
            model: 'fake/fake-model',
            small_model: 'fake/fake-model',
            permission: { bash: 'ask', edit: 'ask' },
            provider: {
              fake: {
                npm: '@ai-sdk/openai-compatible',
                name: 'Fake',
                options: { baseURL: fake.url, apiKey: 'sk-fake-lab' },
                models: { 'fake-model': { name: 'Fake Model' } },
              },
            },
          };
          writeFileSync(join(home, '.config', 'opencode', 'opencode.json'), `${JSON.stringify(config, null, 2)}\n`);
        },
      }),
    );
    const record = lab.mode === 'record';
    // While a turn runs opencode's bottom bar reads "esc interrupt" (with a progress bar of blocks).
    const turnOver = async (timeout = 90_000) => {
      const deadline = Date.now() + timeout;
      let calm = 0;
      while (calm < 2) {
        const s = await lab.screen();
        // (A retry notice can push "esc interrupt" off a narrow bar; the block progress bar stays.)
        calm = !/esc (again to )?interrupt|Permission required|[⬝■]{6}/.test(s) ? calm + 1 : 0;
        if (Date.now() > deadline) throw new Error(`opencode: turn still running after ${timeout} ms`);
        await sleep(250);
      }
    };

    await lab.run('opencode');
    await lab.waitFor(/Ask anything/, { timeout: 180_000 });
    await lab.waitFor(/ctrl\+p commands/, { timeout: 60_000 });
    await lab.at('ready', 'ready-start', { note: 'home screen with the prompt box' });

    if (record) {
      await optional(lab, 'slash-menu', async () => {
        await lab.type('/');
        await lab.waitFor(/\/(compact|exit|help|models|new|sessions|themes)\b/, { timeout: 15_000 });
        await lab.at('ready', 'slash-menu', { note: 'slash-command popup open' });
        await lab.keys('BSpace');
        await sleep(500);
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
      await lab.waitFor(/esc interrupt/, { timeout: 60_000 });
      await lab.waitFor(() => fake.mainRequests.length >= 1, { timeout: 60_000 });
      await lab.at('busy', 'request-in-flight', { note: 'request sent, no token yet' });
      fake.release();
      await lab.waitFor(/tiny demo/, { timeout: 60_000 });
      await lab.waitFor(/README that/, { timeout: 30_000 });
      await lab.at('busy', 'streaming-answer', { note: 'answer text streaming' });
      await lab.waitFor(/no dependencies to install/, { timeout: 60_000 });
      await turnOver();
      await lab.at('ready', 'ready-after-answer');
    }

    if (record) {
      await optional(lab, 'prose-do-you-want', async () => {
        fake.script([{ text: 'I read hello.py: it prints a greeting. Do you want me to add a test for it as well?' }]);
        await lab.send('Read hello.py');
        await lab.waitFor(/Do you want me/, { timeout: 60_000 });
        await turnOver();
        await lab.at('ready', 'prose-do-you-want', { note: 'the answer asks "Do you want …?" in prose; no dialog' });
      });
    }

    fake.script([
      {
        wait: 'release',
        text: 'I will create the file with a shell command.',
        tool: 'bash',
        args: {
          command: "python3 -c 'import time; time.sleep(6)'; touch made-by-opencode.txt; echo created",
          description: 'Create made-by-opencode.txt',
        },
      },
      { text: 'Created made-by-opencode.txt in the project folder.', chunkMs: 200 },
    ]);
    await lab.send('Create a file named made-by-opencode.txt');
    await lab.waitFor(/esc interrupt/, { timeout: 60_000 });
    await lab.at('busy', 'tool-request-in-flight', { note: 'request sent, no token yet' });
    fake.release();
    await lab.waitFor(/Permission required/, { timeout: 60_000 });
    await lab.waitFor(/Allow once/, { timeout: 10_000 });
    await lab.at('waiting', 'permission-command', { note: 'shell-command approval: Allow once / Allow always / Reject' });
    await lab.keys('Enter');
    await lab.waitFor((s) => !/Permission required/.test(s) && /esc interrupt/.test(s), { timeout: 30_000 });
    await lab.at('busy', 'tool-running', { note: 'the approved command runs (python3 sleeping 6 s)' });
    await lab.waitFor('Created made-by-opencode.txt in the project folder.', { timeout: 60_000 });
    await turnOver();
    await lab.at('ready', 'ready-after-tool');

    // (A 400 that says "maximum context length" makes opencode compact the session and retry, so the
    // error here is a plain invalid-request 400.)
    fake.script([{ status: 400, message: "Invalid value for 'temperature': expected a number between 0 and 2." }]);
    await lab.send('Summarise the whole repository');
    await lab.waitFor(/Invalid value for 'temperature'/, { timeout: 60_000 });
    await turnOver();
    await lab.at('error', 'error-400', { note: 'HTTP 400 invalid request' });

    fake.script([{ wait: 'release', text: 'Back again: the project has two files, README.md and hello.py.', chunkMs: 150 }]);
    const n = fake.mainRequests.length;
    await lab.send('List the files');
    await lab.waitFor(/esc interrupt/, { timeout: 30_000 });
    await lab.waitFor(() => fake.mainRequests.length > n, { timeout: 30_000 });
    await lab.at('busy', 'busy-after-error', { note: 'a new turn started; the 400 error is still above' });
    fake.release();
    await lab.waitFor('Back again', { timeout: 30_000 });
    await turnOver();
    await lab.at('ready', 'ready-after-recovery');

    if (record) {
      // A file write asks for approval too ("edit": "ask"), with the new file's content.
      await optional(lab, 'permission-write-file', async () => {
        fake.script([
          {
            text: 'I will add a test file.',
            tool: 'write',
            args: {
              filePath: join(lab.cwd, 'test_hello.py'),
              content: 'from hello import hello\n\n\ndef test_hello():\n    assert hello("x") == "hello x"\n',
            },
          },
          { text: 'Added test_hello.py.' },
        ]);
        await lab.send('Add a test for hello.py');
        await lab.waitFor(/Permission required/, { timeout: 60_000 });
        await lab.waitFor(/Allow once/, { timeout: 10_000 });
        await lab.at('waiting', 'permission-write-file', { note: 'file-write approval: Allow once / Allow always / Reject' });
        await lab.keys('Enter');
        await lab.waitFor('Added test_hello.py.', { timeout: 60_000 });
        await turnOver();
        fake.script([]);
      });

      await optional(lab, 'question', async () => {
        fake.script([
          {
            text: 'One question first.',
            tool: 'question',
            args: {
              questions: [
                {
                  header: 'Tests',
                  question: 'Which test framework should I use for hello.py?',
                  options: [
                    { label: 'pytest', description: 'Plain asserts, the common choice.' },
                    { label: 'unittest', description: 'Standard library only, no install.' },
                  ],
                },
              ],
            },
          },
          { text: 'Good, pytest it is.' },
        ]);
        await lab.send('Plan tests for hello.py');
        await lab.waitFor(/Which test framework/, { timeout: 60_000 });
        await lab.waitFor(/unittest/, { timeout: 10_000 });
        await lab.at('waiting', 'question', { note: 'the agent asks the user (question tool) with choices' });
        await lab.keys('Enter');
        await sleep(500);
        if (/Which test framework/.test(await lab.screen())) await lab.keys('Enter');
        await lab.waitFor(/pytest it is/, { timeout: 30_000 }).catch(() => {});
        await turnOver(60_000);
        fake.script([]);
      });

      // opencode retries 429 and 5xx with a growing backoff ("[retrying in Ns attempt #n]") and does
      // not give up within minutes: those are busy screens. A person stops them with Esc Esc.
      const stopTurn = async () => {
        await lab.keys('Escape');
        await sleep(400);
        await lab.keys('Escape');
        await turnOver(30_000).catch(() => {});
      };
      const errorTurn = async (label, step, wait, note) => {
        const ok = await optional(lab, label, async () => {
          fake.script([{ ...step, times: Infinity }]);
          const prompt = `Try again (${label})`;
          const afterPrompt = (sc) => sc.slice(sc.lastIndexOf(prompt) + prompt.length);
          await lab.send(prompt);
          await lab.waitFor((sc) => wait.test(afterPrompt(sc)), { timeout: 60_000 });
          await turnOver(30_000);
          await lab.at('error', label, { note });
        });
        fake.script([]);
        if (!ok) await stopTurn();
      };
      const retryTurn = async (label, step) => {
        const ok = await optional(lab, label, async () => {
          fake.script([{ ...step, times: Infinity }]);
          const n = fake.mainRequests.length;
          await lab.send(`Try again (${label})`);
          // (On a narrow bar the "[retrying in Ns attempt #n]" part is cut off: count the requests.)
          await lab.waitFor(() => fake.mainRequests.length >= n + 2, { timeout: 60_000 });
          await lab.waitFor(/[⬝■]{6}/, { timeout: 10_000 });
          await lab.at('busy', label, { note: 'opencode retrying the failed request (it keeps retrying)' });
        });
        fake.script([]);
        await stopTurn();
        if (ok) await lab.at('ready', `${label}-stopped`, { note: 'retries stopped with Esc Esc' });
      };
      await errorTurn('error-401', { status: 401, message: 'Incorrect API key provided.' }, /Incorrect API key/, '401 invalid API key');
      await errorTurn(
        'error-404',
        { status: 404, message: 'The model fake-model does not exist or you do not have access to it.' },
        /does not exist/,
        '404 model not found',
      );
      await retryTurn('retrying-429', { status: 429, message: 'Rate limit reached for requests.' });
      await retryTurn('retrying-500', { status: 500, message: 'The server had an error while processing your request.' });
      // A mid-stream server_error is retried like a 5xx; an invalid_request_error ends the turn.
      await errorTurn(
        'error-midstream',
        { text: 'Starting the answer, then the stream breaks here and', chunkMs: 200, failAfter: 4, failType: 'invalid_request_error' },
        /fake mid-stream error/,
        'error event (invalid_request_error) in the middle of the stream',
      );

      await optional(lab, 'interrupted', async () => {
        const text = 'Thinking about the whole tree, one file at a time, carefully and slowly.';
        fake.script([{ stream: 'release', text, chunkMs: 300 }]);
        await lab.send('Walk through every file slowly');
        await lab.waitFor(/one file at a time/, { timeout: 30_000 });
        await lab.at('busy', 'streaming-long', { note: 'long answer streaming' });
        await lab.keys('Escape');
        await lab.waitFor(/esc again to interrupt/, { timeout: 5_000 }).catch(() => {});
        await sleep(400);
        await lab.keys('Escape');
        await turnOver(30_000);
        await lab.at('ready', 'interrupted', { note: 'after Esc Esc: the turn was interrupted' });
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
            tool: 'bash',
            args: { command: 'rm -rf build', description: 'Delete the build folder' },
          },
          { text: 'Understood, I will not delete it.' },
        ]);
        await lab.send('Clean up the build folder');
        await lab.waitFor(/Permission required/, { timeout: 60_000 });
        await lab.waitFor(/Allow once/, { timeout: 10_000 });
        await lab.keys('Right', 'Right');
        await lab.enter(300);
        await lab.waitFor((s) => !/Permission required/.test(s), { timeout: 30_000 });
        await turnOver(60_000);
        await lab.at('ready', 'permission-rejected', { note: 'approval refused (Reject)' });
        fake.script([]);
      });
    }

    await lab.type('/exit');
    await lab.waitFor(/\/exit/, { timeout: 10_000 });
    await sleep(500);
    await lab.keys('Enter');
    await sleep(300);
    if (!/lab:project\$/.test(await lab.screen())) await lab.keys('Enter').catch(() => {});
    await lab.waitFor((s) => /lab:project\$ *$/.test(s.trimEnd()), { timeout: 60_000 });
    await lab.at('exited', 'exited', { agentType: 'opencode', note: 'opencode quit; the shell prompt is back' });
    return lab.results;
  } finally {
    if (lab) await lab.close().catch(() => {});
    await fake.close();
  }
}

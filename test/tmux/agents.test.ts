/**
 * Agent status over time in real tmux panes: a fake agent (test/fixtures/agents/run.sh)
 * prints aider's screens and Claude Code's, state after state, and the source must follow.
 * (The real screens of Claude Code, Codex, Gemini CLI, Qwen Code and opencode are the
 * corpus in test/fixtures/screens/, replayed by corpus.test.ts.)
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TmuxSource } from '../../src/tmux/index.ts';
import type { TestTmux } from '../helpers/tmux.ts';
import { type Collected, startWatched, stopWatched } from './collect.ts';

const RUN = fileURLToPath(new URL('../fixtures/agents/run.sh', import.meta.url));
const HOOKED = fileURLToPath(new URL('../fixtures/agents/hooked.sh', import.meta.url));
const AGENTS = ['aider'] as const;
const STATES = ['ready', 'busy', 'waiting', 'error'] as const;

let t: TestTmux;
let source: TmuxSource;
let events: Collected;

beforeAll(async () => {
  ({ t, source, events } = await startWatched({ width: 160, height: 45 }));
});

afterAll(() => stopWatched(t, source));

async function startAgent(name: string, command: string): Promise<string> {
  return (await t.tmux('new-window', '-d', '-t', 'main', '-n', name, '-P', '-F', '#{pane_id}', command)).trim();
}

describe('agent status from the screens of agent CLIs', () => {
  // Each fixture draws one CLI's screens; claude2 is Claude Code's 2.x layout. (A drawn Gemini
  // CLI dialog runs as `bash` with no title: Qwen Code shows the same words, so it is left to the corpus.)
  const fixtures: { fixture: string; agent: string }[] = ['aider', 'claude', 'codex']
    .map((a) => ({ fixture: a, agent: a }))
    .concat([{ fixture: 'claude2', agent: 'claude' }]);
  const cases = fixtures.flatMap(({ fixture, agent }) => STATES.map((state) => ({ fixture, agent, state })));
  it.each(cases)('$fixture $state', async ({ fixture, agent, state }) => {
    const pane = await startAgent(`${fixture}-${state}`, `bash ${RUN} ${fixture} ${state}`);
    const e = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.agent_type === agent && s.data.status === state, {
      timeoutMs: 8000,
    });
    expect(e.session).toBe('main');
    expect(e.window_name).toBe(`${fixture}-${state}`);
    expect(e.data.reason).not.toBe('');
    const [snap] = await source.snapshot({ pane }, 0);
    expect(snap!.windows[0]!.panes[0]!.agent).toEqual({ status: state, agent_type: agent });
  });

  it.each(AGENTS)('%s identified by its process name', async (agent) => {
    const pane = await startAgent(`${agent}-exec`, `env FAKE_AGENT_EXEC=1 bash ${RUN} ${agent} ready`);
    const deadline = Date.now() + 8000;
    let command = '';
    while (Date.now() < deadline && command !== agent) {
      command = (await t.tmux('display', '-p', '-t', pane, '#{pane_current_command}')).trim();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(command).toBe(agent);
    await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.agent_type === agent && s.data.status === 'ready', {
      timeoutMs: 8000,
    });
  });

  it('follows an agent through busy → waiting → ready', async () => {
    const pane = await startAgent('claude-cycle', `bash ${RUN} claude2 busy waiting ready`);
    await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'busy', { timeoutMs: 8000 });
    let from = events.mark();
    await source.command({ target: { session: 'main', window: 'claude-cycle' }, command: 'send', enter: true });
    const waiting = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'waiting', { from });
    expect(waiting.data).toMatchObject({ previous: 'busy', agent_type: 'claude', reason: 'numbered choice' });
    from = events.mark();
    await source.command({ target: { session: 'main', window: 'claude-cycle', pane: 0 }, command: 'send', enter: true });
    const ready = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'ready', { from });
    expect(ready.data).toMatchObject({ previous: 'waiting', agent_type: 'claude' });
    // Only changes are sent, after holding: no flapping in between.
    expect(events.of('agent.status', from).filter((s) => s.pane_id === pane)).toHaveLength(1);
  });

  it('the agent exits back to the shell: exited, with its type, until another program runs there', async () => {
    // No command: the test server's default-command, a plain shell.
    const pane = (await t.tmux('new-window', '-d', '-t', 'main', '-n', 'claude-quits', '-P', '-F', '#{pane_id}')).trim();
    await t.tmux('send-keys', '-t', pane, `bash ${RUN} claude2 ready waiting`, 'Enter');
    await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.agent_type === 'claude' && s.data.status === 'ready', {
      timeoutMs: 8000,
    });
    let from = events.mark();
    await t.tmux('send-keys', '-t', pane, 'C-c');
    const exited = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'exited', { from, timeoutMs: 8000 });
    expect(exited.data).toMatchObject({ agent_type: 'claude', previous: 'ready' });
    // Another program starts: a shell running a command, then the shell at its prompt.
    from = events.mark();
    await t.tmux('send-keys', '-t', pane, 'clear; exec -a build-step sleep 3', 'Enter');
    const busy = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'busy', { from, timeoutMs: 8000 });
    expect(busy.data).toMatchObject({ agent_type: 'shell', previous: 'exited' });
  });

  it('an agent that quits leaving @agent_state set is exited; a new @agent_state on that shell counts again', async () => {
    const pane = (await t.tmux('new-window', '-d', '-t', 'main', '-n', 'hooked-quits', '-P', '-F', '#{pane_id}')).trim();
    await t.tmux('send-keys', '-t', pane, `(exec -a claude bash ${HOOKED} ready)`, 'Enter');
    // The new window's shell prompt may be reported first (ready, shell): wait for the agent's.
    const ready = await events.waitFor(
      'agent.status',
      (s) => s.pane_id === pane && s.data.status === 'ready' && s.data.agent_type === 'claude',
      {
        timeoutMs: 8000,
      },
    );
    expect(ready.data).toMatchObject({ agent_type: 'claude', reason: '@agent_state' });
    let from = events.mark();
    await t.tmux('send-keys', '-t', pane, 'Enter');
    const exited = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'exited', { from, timeoutMs: 8000 });
    expect(exited.data).toMatchObject({ agent_type: 'claude', previous: 'ready', reason: 'back at the shell' });
    expect((await t.tmux('show-options', '-p', '-v', '-t', pane, '@agent_state')).trim()).toBe('ready'); // still set, ignored
    expect((await t.tmux('display', '-p', '-t', pane, '#{pane_current_command}')).trim()).toBe('bash');
    from = events.mark();
    await t.tmux('set-option', '-p', '-t', pane, '@agent_state', 'busy');
    const busy = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'busy', { from, timeoutMs: 8000 });
    expect(busy.data).toMatchObject({ previous: 'exited', reason: '@agent_state' });
  });

  it('@agent_state set by hand on a shell pane that never ran an agent is trusted', async () => {
    const pane = (await t.tmux('new-window', '-d', '-t', 'main', '-n', 'by-hand', '-P', '-F', '#{pane_id}')).trim();
    await t.tmux('send-keys', '-t', pane, 'echo hello', 'Enter');
    await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'ready', { timeoutMs: 8000 });
    const from = events.mark();
    await t.tmux('set-option', '-p', '-t', pane, '@agent_state', 'waiting');
    const e = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'waiting', { from, timeoutMs: 8000 });
    expect(e.data).toMatchObject({ agent_type: 'shell', reason: '@agent_state' });
  });

  it('an unknown full-screen program is unknown, not busy; a dead pane is exited', async () => {
    // First a plain command (busy) that lasts until the test has seen it busy and presses
    // Enter (a timed command could end before a loaded machine reads the new window), then a
    // full-screen program nobody knows. The command is a binary, not `python3`: where that is
    // a pyenv shim, a bash script runs first, and a loaded machine can read the pane then.
    const editor = await startAgent(
      'editor',
      "head -n 1 >/dev/null; printf '\\033[?1049h~\\n~\\nnotes.txt 3L'; exec -a myeditor sleep 100000",
    );
    await events.waitFor('agent.status', (s) => s.pane_id === editor && s.data.status === 'busy', { timeoutMs: 8000 });
    await t.tmux('send-keys', '-t', editor, 'Enter');
    const e = await events.waitFor('agent.status', (s) => s.pane_id === editor && s.data.status === 'unknown', { timeoutMs: 8000 });
    expect(e.data).toMatchObject({ agent_type: 'shell', previous: 'busy' });
    // remain-on-exit is on before the program ends: it is started again (respawn) once set.
    // A silent end is told by tmux's pane-died hook alone. The program leaves a child that
    // holds the pty a moment longer, so that tmux has its exit status before the pty closes:
    // a pty that closes first can make tmux miss the exit altogether (tmux-source.ts, paneInfo).
    const dead = (await t.tmux('new-window', '-d', '-t', 'main', '-n', 'dies', '-P', '-F', '#{pane_id}', 'sleep 100000')).trim();
    await t.tmux('set-option', '-p', '-t', dead, 'remain-on-exit', 'on');
    await t.tmux('respawn-pane', '-k', '-t', dead, 'sleep 0.2; sleep 0.3 & exit 3');
    const gone = await events.waitFor('agent.status', (s) => s.pane_id === dead && s.data.status === 'exited', { timeoutMs: 8000 });
    expect(gone.data).toMatchObject({ agent_type: 'shell', reason: 'process exited (status 3)' });
  });

  it('a program that prints its last words and ends is exited, with its exit status', async () => {
    const pane = (await t.tmux('new-window', '-d', '-t', 'main', '-n', 'last-words', '-P', '-F', '#{pane_id}', 'sleep 100000')).trim();
    await t.tmux('set-option', '-p', '-t', pane, 'remain-on-exit', 'on');
    await t.tmux('respawn-pane', '-k', '-t', pane, 'sleep 0.2; echo goodbye; exit 4');
    const gone = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'exited', { timeoutMs: 8000 });
    expect(gone.data.reason).toBe('process exited (status 4)');
  });
});

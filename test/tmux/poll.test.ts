import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPollSource, type PollSource } from '../../src/tmux/index.ts';
import { newLines } from '../../src/tmux/poll/poll-source.ts';
import { startTmux, tmuxCommand, type TestTmux } from '../helpers/tmux.ts';
import { Collected } from './collect.ts';

const HOOKED = fileURLToPath(new URL('../fixtures/agents/hooked.sh', import.meta.url));

let t: TestTmux;
let source: PollSource;
let events: Collected;

beforeAll(async () => {
  t = await startTmux();
  source = createPollSource({ socketName: t.socketName, intervalMs: 100 });
  events = new Collected(source);
  await source.ready();
});

afterAll(async () => {
  await source?.close();
  await t?.kill();
});

describe('poll source', () => {
  it('starts connected, silent about the existing state', async () => {
    await events.waitFor('system.source', (e) => e.data.state === 'connected');
    expect(events.of('session.created')).toHaveLength(0);
  });

  it('produces the same structure events', async () => {
    const from = events.mark();
    await t.tmux('new-window', '-d', '-t', 'main:3', '-n', 'polled');
    const w = await events.waitFor('window.created', (e) => e.window === 3, { from });
    expect(w).toMatchObject({ session: 'main', window_name: 'polled' });
    await events.waitFor('pane.created', (e) => e.window === 3, { from });
    await t.tmux('rename-window', '-t', 'main:3', 'polled2');
    await events.waitFor('window.renamed', (e) => e.window === 3 && e.data.new_name === 'polled2', { from });
    await t.tmux('new-session', '-d', '-s', 'side');
    await events.waitFor('session.created', (e) => e.session === 'side', { from });
    await t.tmux('kill-session', '-t', 'side');
    await events.waitFor('session.removed', (e) => e.session === 'side', { from });
    await t.tmux('kill-window', '-t', 'main:3');
    await events.waitFor('window.removed', (e) => e.window === 3, { from });
  });

  it('new screen lines become pane.output; command sends text', async () => {
    const from = events.mark();
    await source.command({ target: { session: 'main', window: 0 }, command: 'send', text: 'echo polled-$((40+2))', enter: true });
    const e = await events.waitFor('pane.output', (o) => o.data.content.includes('polled-42'), { from });
    expect(e).toMatchObject({ session: 'main', window: 0, pane: 0 });
    const [s] = await source.snapshot({ session: 'main' }, 5);
    expect(s!.windows[0]!.panes[0]!.content).toContain('polled-42');
    await expect(source.snapshot({ session: 'nope' }, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('agent status from @agent_state', async () => {
    const from = events.mark();
    const id = (await t.tmux('display', '-p', '-t', 'main:0', '#{pane_id}')).trim();
    await t.tmux('set-option', '-p', '-t', id, '@agent_state', 'busy');
    const e = await events.waitFor('agent.status', (s) => s.pane_id === id && s.data.status === 'busy', { from });
    expect(e.data.reason).toBe('@agent_state');
  });

  it('an agent that quits leaving @agent_state set is exited, as with the control-mode source', async () => {
    const pane = (await t.tmux('new-window', '-d', '-t', 'main', '-P', '-F', '#{pane_id}')).trim();
    await t.tmux('send-keys', '-t', pane, `(exec -a claude bash ${HOOKED} waiting)`, 'Enter');
    await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'waiting' && s.data.agent_type === 'claude');
    let from = events.mark();
    await t.tmux('send-keys', '-t', pane, 'Enter');
    const exited = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'exited', { from });
    expect(exited.data).toMatchObject({ agent_type: 'claude', previous: 'waiting' });
    from = events.mark();
    await t.tmux('set-option', '-p', '-t', pane, '@agent_state', 'busy');
    const busy = await events.waitFor('agent.status', (s) => s.pane_id === pane && s.data.status === 'busy', { from });
    expect(busy.data).toMatchObject({ previous: 'exited', reason: '@agent_state' });
    await t.tmux('kill-pane', '-t', pane);
  });

  it('a pane whose process dies is exited, as with the control-mode source (the shared pane-change check)', async () => {
    const from = events.mark();
    // A child holds the pty a moment past the exit: tmux 3.3a can miss an exit whose pty closes first.
    const id = (await t.tmux('new-window', '-d', '-t', 'main', '-P', '-F', '#{pane_id}', 'sleep 0.7; sleep 0.3 & exit 4')).trim();
    await t.tmux('set-option', '-p', '-t', id, 'remain-on-exit', 'on');
    const e = await events.waitFor('agent.status', (s) => s.pane_id === id && s.data.status === 'exited', { from });
    expect(e.data.agent_type).toBe('shell');
    await t.tmux('kill-pane', '-t', id);
  });

  it('kill-server: disconnected, then back', async () => {
    const from = events.mark();
    await t.kill();
    await events.waitFor('system.source', (e) => e.data.state === 'disconnected', { from });
    await events.waitFor('session.removed', (e) => e.session === 'main', { from });
    await expect(source.snapshot(undefined, 0)).rejects.toMatchObject({ code: 'TMUX_UNAVAILABLE' });
    await tmuxCommand(t.socketName, ['-f', '/dev/null', 'new-session', '-d', '-s', 'again']);
    await events.waitFor('system.source', (e) => e.data.state === 'connected', { from });
    await events.waitFor('session.created', (e) => e.session === 'again', { from });
  });
});

describe('poll source without a tmux server', () => {
  it('a server that never ran (no socket file) is unavailable, not an empty server', async () => {
    const absent = createPollSource({ socketName: `test-absent-${process.pid}-${Date.now()}`, intervalMs: 100 });
    try {
      await expect(absent.snapshot(undefined, 0)).rejects.toMatchObject({ code: 'TMUX_UNAVAILABLE' });
    } finally {
      await absent.close();
    }
  });
});

describe('newLines', () => {
  it('finds appended, scrolled and changed lines', () => {
    expect(newLines(['a', 'b'], ['a', 'b', 'c'])).toEqual(['c']);
    expect(newLines(['a', 'b', 'c'], ['b', 'c', 'd', 'e'])).toEqual(['d', 'e']);
    expect(newLines(['a', 'b'], ['a', 'x'])).toEqual(['x']);
    expect(newLines(['a'], ['a'])).toEqual([]);
  });
});

describe('attached counts', () => {
  it('monitors (control clients that ignore size) are not attached clients', async () => {
    const { parseClients, parseState, SEP } = await import('../../src/tmux/state/query.ts');
    const clients = parseClients([
      ['100', '$0', '1', 'attached,focused,control-mode,ignore-size,UTF-8'].join(SEP),
      ['101', '$0', '1', 'attached,focused,control-mode,UTF-8'].join(SEP),
      ['102', '$0', '0', 'attached,focused,UTF-8'].join(SEP),
      ['103', '$0', '0', 'attached,UTF-8'].join(SEP),
    ]);
    const pane = ['$0', 's', '0', '/', '@0', '0', '1', 'w', '%0', '0', '1', '0', '', '1', 'bash', '/', '', '0', '0', '0', 't'].join(SEP);
    const state = parseState([pane], [], clients, new Set([103]));
    // 100 is a monitor, 103 is ours: 101 (an iTerm2-style control client) and 102 count.
    expect(state.sessions[0]!.attached).toBe(2);
  });
});

/** Several sessions: one control client each, linked windows, losing the first session. */
import { afterEach, describe, expect, it } from 'vitest';
import { createTmuxSource, type TmuxSource } from '../../src/tmux/index.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { Collected } from './collect.ts';

let t: TestTmux | undefined;
let source: TmuxSource | undefined;

afterEach(async () => {
  await source?.close();
  await t?.kill();
  source = undefined;
  t = undefined;
});

async function setup(): Promise<{ t: TestTmux; source: TmuxSource; events: Collected }> {
  t = await startTmux({ session: 'a' });
  await t.tmux('new-session', '-d', '-s', 'b', '-x', '120', '-y', '30');
  source = createTmuxSource({ socketName: t.socketName });
  const events = new Collected(source);
  await source.ready();
  return { t, source, events };
}

describe('several sessions', () => {
  it('output of every session arrives, with one control client per session', async () => {
    const { t, events } = await setup();
    const from = events.mark();
    await t.tmux('send-keys', '-t', 'b', 'echo in-b-$((1+1))', 'Enter');
    await t.tmux('send-keys', '-t', 'a', 'echo in-a-$((1+1))', 'Enter');
    await events.waitFor('pane.output', (e) => e.session === 'b' && e.data.content.includes('in-b-2'), { from });
    await events.waitFor('pane.output', (e) => e.session === 'a' && e.data.content.includes('in-a-2'), { from });
    // (Not counting the monitor's @agent_state signal client, which takes no output.)
    const listed = (await t.tmux('list-clients', '-F', '#{client_control_mode} #{session_name} #{client_flags}')).trim().split('\n');
    const clients = listed
      .filter((l) => !l.includes('no-output'))
      .map((l) => l.split(' ').slice(0, 2).join(' '))
      .sort();
    expect(clients).toEqual(['1 a', '1 b']);
  });

  it('a window linked into two sessions: window.created in both, its output once', async () => {
    const { t, events } = await setup();
    const from = events.mark();
    await t.tmux('link-window', '-d', '-s', 'a:0', '-t', 'b:7');
    const linked = await events.waitFor('window.created', (e) => e.session === 'b' && e.window === 7, { from });
    const pane = (await t.tmux('display', '-p', '-t', 'a:0', '#{pane_id}')).trim();
    await t.tmux('send-keys', '-t', pane, 'echo linked-$((2+2))', 'Enter');
    await events.waitFor('pane.output', (e) => e.pane_id === pane && e.data.content.includes('linked-4\n'), { from });
    // Give a duplicate from the second session's client the time to show up: wait for a later marker.
    await t.tmux('send-keys', '-t', pane, 'echo after-$((2+2))', 'Enter');
    await events.waitFor('pane.output', (e) => e.pane_id === pane && e.data.content.includes('after-4\n'), { from });
    const copies = events.of('pane.output', from).filter((e) => e.pane_id === pane && e.data.content.includes('linked-4\n'));
    expect(copies).toHaveLength(1);
    expect(linked.window_id).toBe((await t.tmux('display', '-p', '-t', 'a:0', '#{window_id}')).trim());
  });

  it('killing the session of the first control client: the others carry on', async () => {
    const { t, source, events } = await setup();
    const from = events.mark();
    await t.tmux('kill-session', '-t', 'a');
    await events.waitFor('session.removed', (e) => e.session === 'a', { from });
    expect(source.state).toBe('connected');
    await source.command({ target: { session: 'b', window: 0 }, command: 'send', text: 'echo still-$((3+3))', enter: true });
    await events.waitFor('pane.output', (e) => e.session === 'b' && e.data.content.includes('still-6\n'), { from });
    const snap = await source.snapshot(undefined, 0);
    expect(snap.map((s) => s.name)).toEqual(['b']);
    // Structure changes are still seen (the remaining client carries the subscription too).
    await t.tmux('new-window', '-d', '-t', 'b:', '-n', 'later');
    await events.waitFor('window.created', (e) => e.session === 'b' && e.window_name === 'later', { from });
    expect(events.of('system.source', from)).toHaveLength(0);
  });

  it('a control client detached by someone else is re-attached', async () => {
    const { t, events } = await setup();
    await t.tmux('detach-client', '-s', 'b');
    const from = events.mark();
    // Re-attached within the refresh that the detach triggers; then b's output arrives again.
    const deadline = Date.now() + 5000;
    let clients = '';
    while (Date.now() < deadline && !clients.includes('1 b')) {
      clients = await t.tmux('list-clients', '-F', '#{client_control_mode} #{session_name}');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(clients).toContain('1 b');
    await t.tmux('send-keys', '-t', 'b', 'echo back-$((4+4))', 'Enter');
    await events.waitFor('pane.output', (e) => e.session === 'b' && e.data.content.includes('back-8\n'), { from });
  });
});

/**
 * tmux 3.3a crashes its whole server when a control-mode notification reaches a control
 * client that is still identifying itself (docs/tmux-source.md). The monitor starts a
 * control client for every new session, so a script that makes and kills sessions quickly
 * (a test runner, a project launcher) while the monitor watches must never have the
 * monitor identify a client in the middle of it. Here two such scripts churn sessions and
 * switch windows for a few seconds; the tmux server must still be up afterwards, and the
 * monitor must still stream a new session's output.
 *
 * The monitor keeps spare clients, identified at a quiet moment, that new sessions take
 * with `switch-client` before the monitor reports the session: its output streams at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TmuxSource } from '../../src/tmux/index.ts';
import { SPARE_CLIENTS } from '../../src/tmux/source/tmux-source.ts';
import type { TestTmux } from '../helpers/tmux.ts';
import { type Collected, startWatched, stopWatched } from './collect.ts';

const CHURN_MS = 6000;

let t: TestTmux;
let source: TmuxSource;
let events: Collected;

beforeAll(async () => {
  ({ t, source, events } = await startWatched());
});

afterAll(() => stopWatched(t, source));

/** Sessions made and killed back to back, each living a random moment, with window switches in between. */
async function churn(prefix: string, until: number): Promise<number> {
  let made = 0;
  while (Date.now() < until) {
    const name = `${prefix}${made++}`;
    await t.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', 'cat');
    await t.tmux('new-window', '-d', '-t', name, 'cat');
    await t.tmux('select-window', '-t', `${name}:1`);
    await new Promise((r) => setTimeout(r, Math.random() * 150));
    await t.tmux('kill-session', '-t', name);
  }
  return made;
}

/** The monitor's clients that take no output: the signal client and the spare(s). */
async function noOutputClients(): Promise<number> {
  const flags = (await t.tmux('list-clients', '-F', '#{client_flags}')).split('\n');
  return flags.filter((f) => f.split(',').includes('no-output')).length;
}

/** Polls (there is no event for it) until the monitor's spare clients are all up. */
async function sparesReady(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await noOutputClients()) < 1 + SPARE_CLIENTS) {
    if (Date.now() > deadline) throw new Error('the spare clients did not come up');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('tmux source: sessions made and killed quickly', () => {
  it('a new session takes a spare: output typed once it is reported is streamed', async () => {
    await sparesReady();
    const from = events.mark();
    const names = ['quick'];
    for (const name of names) await t.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24');
    for (const name of names) {
      await events.waitFor('session.created', (e) => e.session === name, { from });
      await t.tmux('send-keys', '-t', name, `echo ${name}-$((6*7))`, 'Enter');
    }
    for (const name of names) {
      await events.waitFor('pane.output', (e) => e.session === name && e.data.content.includes(`${name}-42`), { from });
      // A spare became the session's client (with output now); a new spare replaces it once things are quiet.
      const flags = (await t.tmux('list-clients', '-t', name, '-F', '#{client_flags}')).trim().split('\n');
      expect(flags).toHaveLength(1);
      expect(flags[0]?.split(',')).not.toContain('no-output');
    }
    await sparesReady();
    for (const name of names) await t.tmux('kill-session', '-t', name);
  });

  it('never takes the tmux server down, and still streams a new session', async () => {
    const until = Date.now() + CHURN_MS;
    const made = await Promise.all([churn('x', until), churn('y', until)]);
    expect(made[0] + made[1]).toBeGreaterThan(10);
    // Still up: the first session outlived the churn.
    expect((await t.tmux('list-sessions', '-F', '#{session_name}')).split('\n')).toContain('main');

    // Right after a burst no spare may be free: the session is attached at the next quiet
    // moment, and what it prints before that is not streamed. Type until an echo comes back.
    const from = events.mark();
    await t.tmux('new-session', '-d', '-s', 'after', '-x', '80', '-y', '24');
    await events.waitFor('session.created', (e) => e.session === 'after', { from });
    for (let attempt = 0; ; attempt++) {
      await t.tmux('send-keys', '-t', 'after', `echo after-${attempt}-$((20+22))`, 'Enter');
      const seen = await events
        .waitFor('pane.output', (e) => e.session === 'after' && e.data.content.includes(`after-${attempt}-42`), { from, timeoutMs: 1000 })
        .then(
          () => true,
          () => false,
        );
      if (seen) break;
      expect(attempt).toBeLessThan(15);
    }
  }, 40_000);
});

/**
 * The `@agent_state` push signal (src/tmux/source/state-signal.ts) on a real tmux server: the
 * hook is appended after the user's own, a change is signalled without the format
 * subscription, the hook is gone after stop, and a dead monitor's hook is replaced.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTmuxSource } from '../../src/tmux/index.ts';
import { parseHookLines, SIGNAL_CHANNEL_PREFIX, signalHookCommand, StateSignal } from '../../src/tmux/source/state-signal.ts';
import { startTmux, type TestTmux } from '../helpers/tmux.ts';
import { Collected } from './collect.ts';

let t: TestTmux;
let pane: string;
const USER_HOOK = 'set-environment -g USER_HOOK_RAN yes';

beforeAll(async () => {
  t = await startTmux();
  pane = (await t.tmux('display', '-p', '-t', 'main', '#{pane_id}')).trim();
  await t.tmux('set-hook', '-g', 'after-set-option', USER_HOOK);
});

afterAll(async () => {
  await t?.kill();
});

/** Every signal a test made: stopped after it, so that one failing test leaves no hook to the next. */
const made: StateSignal[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((s) => s.stop()));
});

const lines = (out: string): string[] => out.split('\n').filter((l) => l !== '');
const hooks = async () => parseHookLines(lines(await t.tmux('show-hooks', '-g', 'after-set-option')));
const ours = async () => (await hooks()).filter((h) => h.command.includes(SIGNAL_CHANNEL_PREFIX));

/** A StateSignal whose host runs commands with the tmux CLI and records changed panes. */
function signal() {
  const changed: string[] = [];
  const waiters: (() => void)[] = [];
  const ownPids = new Set<number>();
  const s = new StateSignal({
    tmuxBin: 'tmux',
    socketArgs: ['-L', t.socketName],
    run: async (...args) => lines(await t.tmux(...args)),
    session: () => 'main',
    ownPids,
    changed: (id) => {
      changed.push(id);
      for (const w of waiters.splice(0)) w();
    },
    // The tmux source restarts it once the tree is quiet; here, at once.
    restart: () => void s.start(),
  });
  made.push(s);
  const changedPane = (id: string, timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no signal for ${id}; saw ${changed.join(',')}`)), timeoutMs);
      const check = () => {
        if (changed.includes(id)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { s, changed, changedPane, ownPids };
}

describe('state signal', () => {
  it('appends its hook after the user hook, signals @agent_state changes, and removes only its hook at stop', async () => {
    const { s, changed, changedPane, ownPids } = signal();
    await s.start();
    expect(s.active).toBe(true);
    const all = await hooks();
    expect(all[0]).toEqual({ index: 0, command: USER_HOOK });
    expect(all).toHaveLength(2);
    expect(all[1]!.command).toMatch(new RegExp(`wait-for -S ${SIGNAL_CHANNEL_PREFIX}\\d+`));
    // Its own client is known as the monitor's, so it is not counted as a user's.
    expect(ownPids.size).toBe(1);

    // No subscription here: only the hook can make this arrive.
    await t.tmux('set-option', '-p', '-t', pane, '@agent_state', 'busy');
    await changedPane(pane);
    // The user's hook ran too.
    expect(await t.tmux('show-environment', '-g', 'USER_HOOK_RAN')).toContain('yes');
    changed.length = 0;
    await t.tmux('set-option', '-p', '-t', pane, '-u', '@agent_state');
    await changedPane(pane);

    // A pane whose program ends and stays (remain-on-exit) signals through `pane-died`. The
    // program leaves a child that holds the pty a moment longer, so that tmux has its exit
    // status before the pty closes: a pty that closes first can make tmux 3.3a miss the exit
    // altogether, and then no hook runs (tmux-source.ts, paneInfo, nudges it; this test has
    // no source).
    expect(parseHookLines(lines(await t.tmux('show-hooks', '-g', 'pane-died')), 'pane-died')).toHaveLength(1);
    const dying = (await t.tmux('new-window', '-d', '-P', '-F', '#{pane_id}', '-t', 'main:', 'sleep 1; sleep 0.5 & exit 0')).trim();
    await t.tmux('set-option', '-p', '-t', dying, 'remain-on-exit', 'on');
    await changedPane(dying);

    await s.stop();
    expect(s.active).toBe(false);
    expect(await hooks()).toEqual([{ index: 0, command: USER_HOOK }]);
    expect(parseHookLines(lines(await t.tmux('show-hooks', '-g', 'pane-died')), 'pane-died')).toEqual([]);
    expect(ownPids.size).toBe(0);
    // The signal client is gone.
    expect(lines(await t.tmux('list-clients', '-F', '#{client_control_mode}'))).toEqual([]);
  });

  it("replaces the hook of a monitor that died, keeps a running one's, and does not pile up", async () => {
    await t.tmux('set-hook', '-ag', 'after-set-option', signalHookCommand(`${SIGNAL_CHANNEL_PREFIX}999999`));
    const a = signal();
    const b = signal();
    await a.s.start();
    await b.s.start();
    const found = await ours();
    expect(found).toHaveLength(2);
    expect(found.some((h) => h.command.includes('999999'))).toBe(false);
    // Both work side by side.
    await t.tmux('set-option', '-p', '-t', pane, '@agent_state', 'waiting');
    await Promise.all([a.changedPane(pane), b.changedPane(pane)]);
    await a.s.stop();
    expect(await ours()).toHaveLength(1);
    await b.s.stop();
    expect(await hooks()).toEqual([{ index: 0, command: USER_HOOK }]);
  });

  it('starts again on another session when its session is killed, and replaces its hook', async () => {
    await t.tmux('new-session', '-d', '-s', 'other', '-x', '80', '-y', '24');
    await t.tmux('new-session', '-d', '-s', 'doomed', '-x', '80', '-y', '24');
    const { s, changed, changedPane } = signal();
    await s.start();
    // It sits in the most recently active session.
    const sessionOfSignal = async () =>
      (await t.tmux('list-clients', '-F', '#{client_flags} #{session_name}'))
        .split('\n')
        .find((l) => l.includes('no-output'))
        ?.split(' ')[1];
    expect(await sessionOfSignal()).toBe('doomed');
    const before = (await ours()).map((h) => h.command);
    await t.tmux('kill-session', '-t', 'doomed');
    // It comes back elsewhere with a new channel; the old hook is gone. One reading of the
    // hooks per check: between two readings the old hook may be gone and the new one not
    // yet added.
    const replaced = async (): Promise<boolean> => {
      const found = await ours();
      return s.active && found.length === 1 && found[0]!.command !== before[0];
    };
    for (let i = 0; i < 100 && !(await replaced()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(s.active).toBe(true);
    expect(await ours()).toHaveLength(1);
    expect((await ours())[0]!.command).not.toBe(before[0]);
    changed.length = 0;
    await t.tmux('set-option', '-p', '-t', pane, '@agent_state', 'ready');
    await changedPane(pane);
    await s.stop();
    expect(await ours()).toHaveLength(0);
    await t.tmux('kill-session', '-t', 'other');
  });

  it('in the tmux source: agent.status arrives and the hook is gone after close', async () => {
    const source = createTmuxSource({ socketName: t.socketName });
    const events = new Collected(source);
    await source.ready();
    // The signal starts just after connecting.
    for (let i = 0; i < 100 && (await ours()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await ours()).toHaveLength(1);
    const [main] = await source.snapshot({ session: 'main' }, 0);
    expect(main!.attached).toBe(0);

    const from = events.mark();
    await t.tmux('set-option', '-p', '-t', pane, '@agent_state', 'error');
    const e = await events.waitFor('agent.status', (x) => x.pane_id === pane && x.data.status === 'error', { from });
    expect(e.data.reason).toBe('@agent_state');

    await source.close();
    expect(await hooks()).toEqual([{ index: 0, command: USER_HOOK }]);
  });
});

/**
 * A push signal for `@agent_state` and for panes that die, so that a state an agent's hook
 * sets (or the end of a pane's program) reaches clients at once. It is the source's only
 * way of hearing of them without output: the monitor does not use tmux's format
 * subscriptions (`refresh-client -B`), because tmux 3.3a's once-a-second check of a `%*`
 * subscription crashes the server when the client's session has just been killed
 * (docs/tmux-source.md).
 *
 * tmux 3.3a has no control-mode notification for an option change, and a hook's commands
 * cannot write to another client. What works: a global `after-set-option` hook, appended to
 * the user's hook array, that signals a `wait-for` channel when the command's arguments
 * name `@agent_state`:
 *
 *     set-hook -ag after-set-option "if-shell -F '#{m:*@agent_state*,#{hook_arguments}}' 'wait-for -S tmux-monitor-state-PID'"
 *
 * and a dedicated control client of ours that sits in `wait-for tmux-monitor-state-PID` followed
 * by `display-message -p`: tmux answers the second command the moment the channel is
 * signalled, and a signal sent while nobody waits is kept, so none is lost. On each signal
 * one `list-panes -a` reads every pane's `@agent_state` and the panes whose value changed
 * are re-read by the tracker. (`if-shell -F` runs no shell; `wait-for -S` changes nothing a
 * user can see.) A second hook, `pane-died` (run when a pane's program ends and the pane
 * stays, `remain-on-exit`), signals the same channel, and the listing compares each pane's
 * dead flag too.
 *
 * The hook is appended (`-a`), never set over the user's own hooks, and removed at stop by
 * its channel name wherever it sits in the array. PID is the signal client's pid as tmux
 * lists it, so a hook left by a monitor that died (its client gone from `list-clients`) is
 * recognised at the next start and removed; hooks of another running monitor are left alone.
 * If tmux runs the hook array of a session instead (a user's session-level hook of the same
 * name), a change there is seen with the pane's next output.
 *
 * The signal client is attached to a session, and ends when that session is killed; the
 * source then starts it again (`restart`, at the same quiet moment it attaches new sessions),
 * and the first listing after a restart reports what changed meanwhile.
 */
import { ControlClient } from '../control/client.ts';
import { quoteArg } from '../control/quote.ts';
import { settledWithin, timeLimited } from '../../time-limit.ts';

export const SIGNAL_HOOK = 'after-set-option';
/** The hooks we append, each signalling our channel. */
export const SIGNAL_HOOKS = [SIGNAL_HOOK, 'pane-died'] as const;
/** Our channels are named `tmux-monitor-state-<client pid>`; the marker of our hooks. */
export const SIGNAL_CHANNEL_PREFIX = 'tmux-monitor-state-';
const OUR_HOOK = new RegExp(`wait-for -S ${SIGNAL_CHANNEL_PREFIX}(\\d+)`);
const SEP = '\x1f';
const MAX_FAILED_STARTS = 5;
const START_TIMEOUT_MS = 5000;

export interface StateSignalHost {
  tmuxBin: string;
  /** `['-L', name]`, `['-S', path]` or []. */
  socketArgs: string[];
  /** Run one command over the monitor's own (non-blocked) control channel. */
  run(...args: string[]): Promise<string[]>;
  /** A session to attach the signal client to (null: none now). */
  session(): string | null;
  /** The pids of the monitor's own tmux clients (so they are not counted as attached users). */
  ownPids: Set<number>;
  /** A pane's `@agent_state` (`stateSet`) or dead flag changed. */
  changed(paneId: string, stateSet: boolean): void;
  /** The signal client ended on its own (its session was killed): call `start()` again when it is safe to attach. */
  restart(): void;
}

/**
 * The session a monitor's extra client (the signal client, a spare) attaches to. Attaching
 * counts as activity, and a plain `tmux attach` (or a command with no target) picks the most
 * recently active session: attaching to that one leaves the choice as it was. Null: no session.
 */
export async function mostRecentSession(run: (...args: string[]) => Promise<string[]>): Promise<string | null> {
  const lines = await run('list-sessions', '-F', '#{session_activity} #{session_id}').catch(() => []);
  const idNumber = (id: string | undefined): number => Number((id ?? '').slice(1)) || 0;
  const sorted = lines
    .map((l) => l.split(' '))
    .filter((f) => f.length === 2)
    .sort((a, b) => Number(b[0]) - Number(a[0]) || idNumber(b[1]) - idNumber(a[1]));
  return sorted[0]?.[1] ?? null;
}

/** The hook command for a channel (`after-set-option`: only for `@agent_state`). */
export function signalHookCommand(channel: string, hook: string = SIGNAL_HOOK): string {
  if (hook !== SIGNAL_HOOK) return `wait-for -S ${channel}`;
  return `if-shell -F ${quoteArg('#{m:*@agent_state*,#{hook_arguments}}')} ${quoteArg(`wait-for -S ${channel}`)}`;
}

/** `show-hooks -g HOOK` lines → [index, command]. */
export function parseHookLines(lines: readonly string[], hook: string = SIGNAL_HOOK): { index: number; command: string }[] {
  const out: { index: number; command: string }[] = [];
  for (const line of lines) {
    if (!line.startsWith(`${hook}[`)) continue;
    const m = /^[a-z-]+\[(\d+)\] (.*)$/.exec(line);
    if (m) out.push({ index: Number(m[1]), command: m[2]! });
  }
  return out;
}

/** The hook command signals `channel` (ours, not another monitor's). */
function signals(command: string, channel: string): boolean {
  return `${SIGNAL_CHANNEL_PREFIX}${OUR_HOOK.exec(command)?.[1]}` === channel;
}

export class StateSignal {
  private client: ControlClient | null = null;
  private channel: string | null = null;
  private starting: Promise<void> | null = null;
  private stopped = false;
  private known = new Map<string, string>();
  private reading = false;
  private readAgain = false;
  /** `known` holds a listing from an earlier run: the next start reports what changed since. */
  private listedBefore = false;
  /** Starts that failed in a row (the session went away while attaching, say); each asks for another. */
  private failures = 0;
  /** Bumped by each start: a start that was given up (timed out) must not install anything later. */
  private generation = 0;

  constructor(private readonly host: StateSignalHost) {}

  /** True while the hook is in place and the signal client waits on it. */
  get active(): boolean {
    return this.client !== null && !this.client.closed && this.channel !== null;
  }

  /** Install the hook and start the signal client (no-op while active). Never throws. */
  start(): Promise<void> {
    this.stopped = false;
    if (this.active) return Promise.resolve();
    // A start that hangs (tmux never answering the new client) is given up and tried again.
    this.starting ??= timeLimited(
      this.doStart(++this.generation),
      START_TIMEOUT_MS,
      () => new Error(`no answer within ${START_TIMEOUT_MS} ms`),
    )
      .then(() => {
        this.failures = 0;
      })
      .catch(async () => {
        await this.teardown();
        // Ask the source to try again at its next quiet moment; a tmux that keeps refusing
        // is left alone after a few tries (the next structural change tries again).
        if (!this.stopped && ++this.failures <= MAX_FAILED_STARTS) this.host.restart();
      })
      .finally(() => {
        this.starting = null;
      });
    return this.starting;
  }

  /**
   * Puts back any of our hooks that is no longer there (the source calls it on each change
   * of the tree, not on a timer). Seen in tests: both hook arrays emptied while the signal
   * client stayed attached, cause not found; without the hooks no signal would come again.
   */
  async ensureHooks(): Promise<void> {
    const channel = this.channel;
    if (!this.active || channel === null || this.stopped) return;
    for (const hook of SIGNAL_HOOKS) {
      const hooks = parseHookLines(await this.host.run('show-hooks', '-g', hook), hook);
      if (hooks.some((h) => signals(h.command, channel))) continue;
      if (this.channel !== channel) return;
      await this.host.run('set-hook', '-ag', hook, signalHookCommand(channel, hook));
      // A change made while the hook was missing was not signalled: look now.
      void this.check();
    }
  }

  /** Remove our hook and end the signal client. Safe to call when tmux is gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    // Bounded: a stop must never hold up the monitor's exit (tmux may be gone or stuck).
    if (this.starting) await settledWithin(this.starting, 2000);
    await settledWithin(this.teardown(), 3000);
  }

  private async doStart(generation: number): Promise<void> {
    const session = (await mostRecentSession(this.host.run)) ?? this.host.session();
    if (session === null || this.stopped || generation !== this.generation) return;
    const client = await ControlClient.start({
      tmuxBin: this.host.tmuxBin,
      socketArgs: this.host.socketArgs,
      session,
      // It only waits: no %output for it to send (its queue is blocked most of the time).
      flags: ['ignore-size', 'no-output'],
      onMessage: () => {},
      onExit: (_reason, c) => this.onClientExit(c),
    });
    if (client.pid !== undefined) this.host.ownPids.add(client.pid);
    if (generation !== this.generation) {
      await client.close();
      throw new Error('superseded');
    }
    this.client = client;
    const [pid = ''] = await client.run('display-message', '-p', '#{client_pid}');
    const channel = `${SIGNAL_CHANNEL_PREFIX}${pid.trim()}`;
    await this.removeStale();
    if (this.stopped || client.closed || generation !== this.generation) throw new Error('stopped');
    for (const hook of SIGNAL_HOOKS) await this.host.run('set-hook', '-ag', hook, signalHookCommand(channel, hook));
    this.channel = channel;
    if (this.listedBefore) void this.check();
    else {
      this.known = await this.readStates();
      this.listedBefore = true;
    }
    void this.loop(client, channel);
  }

  /** Wait on the channel; each time it is signalled, look for changed `@agent_state` values. */
  private async loop(client: ControlClient, channel: string): Promise<void> {
    while (this.client === client && !client.closed) {
      try {
        // `wait-for` answers at once and then blocks this client's queue; the next command
        // is answered when the channel is signalled.
        // Both awaited together: when the client exits, both reject, and neither may go unhandled.
        await Promise.all([client.send(`wait-for ${channel}`), client.send('display-message -p signalled')]);
      } catch {
        return;
      }
      if (this.client !== client || this.stopped) return;
      void this.check();
    }
  }

  /** One `list-panes -a` for every pane's `@agent_state` and dead flag; concurrent signals share a re-run. */
  private async check(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        const next = await this.readStates();
        for (const [id, state] of next) {
          const before = this.known.get(id);
          if (before === state) continue;
          // The listing is `dead SEP @agent_state`: did the option itself change?
          const stateSet = before === undefined || before.slice(before.indexOf(SEP)) !== state.slice(state.indexOf(SEP));
          this.host.changed(id, stateSet);
        }
        this.known = next;
      } while (this.readAgain && !this.stopped);
    } catch {
      /* tmux went away: the source notices on its own */
    } finally {
      this.reading = false;
    }
  }

  private async readStates(): Promise<Map<string, string>> {
    const lines = await this.host.run('list-panes', '-a', '-F', `#{pane_id}${SEP}#{pane_dead}${SEP}#{@agent_state}`);
    const states = new Map<string, string>();
    for (const line of lines) {
      const i = line.indexOf(SEP);
      if (i > 0) states.set(line.slice(0, i), line.slice(i + 1));
    }
    return states;
  }

  /** Hooks of ours whose signal client is no longer a tmux client: a monitor that died. */
  private async removeStale(): Promise<void> {
    const live = new Set((await this.host.run('list-clients', '-F', '#{client_pid}')).map((l) => l.trim()));
    for (const hook of SIGNAL_HOOKS) {
      const stale = parseHookLines(await this.host.run('show-hooks', '-g', hook), hook).filter((h) => {
        const m = OUR_HOOK.exec(h.command);
        return m !== null && !live.has(m[1]!);
      });
      for (const h of stale) await this.host.run('set-hook', '-gu', `${hook}[${h.index}]`).catch(() => {});
    }
  }

  /** Remove every entry of our hook arrays that signals our channel (wherever it is now). */
  private async removeOurs(channel: string): Promise<void> {
    for (const hook of SIGNAL_HOOKS) {
      for (const h of parseHookLines(await this.host.run('show-hooks', '-g', hook), hook)) {
        if (signals(h.command, channel)) {
          await this.host.run('set-hook', '-gu', `${hook}[${h.index}]`);
        }
      }
    }
  }

  private async teardown(): Promise<void> {
    const client = this.client;
    const channel = this.channel;
    this.client = null;
    this.channel = null;
    // End the client first and in parallel (closing its stdin ends it even while it waits; it
    // is killed if it has not gone after a second), so that a slow tmux never leaves it behind.
    const closing = client?.close().finally(() => {
      if (client.pid !== undefined) this.host.ownPids.delete(client.pid);
    });
    if (channel) await this.removeOurs(channel).catch(() => {});
    await closing;
  }

  /** The signal client ended on its own (its session was killed): start again elsewhere, when the source says. */
  private onClientExit(client: ControlClient): void {
    if (client.pid !== undefined) this.host.ownPids.delete(client.pid);
    if (this.client !== client || this.stopped) return;
    const channel = this.channel;
    this.client = null;
    this.channel = null;
    void (async () => {
      if (channel) await this.removeOurs(channel).catch(() => {});
      if (!this.stopped) this.host.restart();
    })();
  }
}

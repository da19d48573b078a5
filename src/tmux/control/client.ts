/**
 * One tmux control-mode client: a `tmux -C attach` process, its parser, and a FIFO of
 * pending commands. Commands go over the client's stdin and each gets a promise for its
 * `%begin`…`%end` block: tmux answers a client's commands in order, so replies with the
 * "ours" flag are matched to pending commands first-in first-out.
 *
 * stdout is read in its own loop that never waits for anyone: messages are handed to
 * `onMessage` synchronously. tmux stops reading a pane while a control client attached
 * to it lags, so a slow consumer must never slow this loop.
 */
import { MonitorError } from '../../protocol/errors.ts';
import { spawnProcess, type ChildProcess } from '../process/index.ts';
import type { ControlMessage, ControlReply } from './messages.ts';
import { ControlParser } from './parser.ts';
import { commandLine } from './quote.ts';

export interface ControlClientOptions {
  tmuxBin: string;
  /** `['-L', name]` or `['-S', path]` (or [] for the default server — never used by tests). */
  socketArgs: string[];
  /** Session to attach to (name or `$id`). */
  session: string;
  /** Client flags for `attach -f` (default `ignore-size`: monitoring never resizes anyone's windows). */
  flags?: readonly string[];
  /** Called for every message that is not a reply to one of our commands. */
  onMessage(message: ControlMessage, client: ControlClient): void;
  /** Called once when the process ends. */
  onExit(reason: string, client: ControlClient): void;
}

interface Pending {
  resolve(reply: ControlReply): void;
  reject(error: Error): void;
}

export class ControlClient {
  /** The session it is attached to (changes only through `switchTo`). */
  session: string;
  private readonly parser = new ControlParser();
  private readonly pending: Pending[] = [];
  private exitReason: string | null = null;
  private readonly attached: Promise<void>;
  private settleAttach!: (ok: boolean) => void;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly options: ControlClientOptions,
  ) {
    this.session = options.session;
    this.attached = new Promise<boolean>((resolve) => (this.settleAttach = resolve)).then((ok) => {
      if (!ok) throw new MonitorError('TMUX_UNAVAILABLE', `could not attach to tmux session ${options.session}: ${this.exitReason ?? ''}`);
    });
    this.attached.catch(() => {});
  }

  /** Start `tmux -C attach -f ignore-size -t SESSION` and wait until tmux has accepted it. */
  static async start(options: ControlClientOptions): Promise<ControlClient> {
    const flags = (options.flags ?? ['ignore-size']).join(',');
    const proc = await spawnProcess(
      options.tmuxBin,
      [...options.socketArgs, '-C', 'attach-session', '-f', flags, '-t', options.session],
      // TMUX set (when run inside tmux) makes no difference to -C, but TMUX_PANE would
      // confuse nothing either; drop TMUX so tmux never refuses to nest.
      { unsetEnv: ['TMUX'] },
    );
    const client = new ControlClient(proc, options);
    void client.readLoop();
    await client.attached;
    return client;
  }

  get closed(): boolean {
    return this.exitReason !== null;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Run one command line; resolves with its reply block (check `ok`). */
  send(line: string): Promise<ControlReply> {
    if (this.exitReason !== null) {
      return Promise.reject(new MonitorError('TMUX_UNAVAILABLE', `tmux control client exited: ${this.exitReason}`));
    }
    if (line.includes('\n')) return Promise.reject(new Error('command line must not contain a newline'));
    return new Promise<ControlReply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.proc.write(line + '\n');
    });
  }

  /** Run a command given as arguments (quoted for tmux); rejects if tmux answers %error. */
  async run(...args: string[]): Promise<string[]> {
    const reply = await this.send(commandLine(args));
    if (!reply.ok) throw new TmuxCommandError(args[0] ?? '', reply.lines.join('\n'));
    return reply.lines;
  }

  /**
   * Move this client (attached with `no-output`) to another session and let that session's
   * output through: a spare taking a new session without identifying anew (standby.ts).
   * Rejects, leaving it where it was, if tmux cannot switch (the session is gone).
   */
  async switchTo(sessionId: string): Promise<void> {
    await this.run('switch-client', '-t', sessionId);
    this.session = sessionId;
    await this.run('refresh-client', '-f', '!no-output');
  }

  /** Detach (close stdin) and make sure the process ends. */
  async close(): Promise<void> {
    this.proc.closeStdin();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 1000);
    await this.proc.exited;
    clearTimeout(timer);
  }

  /** Forget a pane's UTF-8 decoder state once the pane is gone. */
  forgetPane(paneId: string): void {
    this.parser.forgetPane(paneId);
  }

  private async readLoop(): Promise<void> {
    let reason = 'tmux control client ended';
    try {
      for await (const chunk of this.proc.stdout) {
        const messages = this.parser.push(chunk);
        for (const m of messages) this.dispatch(m);
      }
    } catch (e) {
      reason = `read error: ${(e as Error).message}`;
    }
    const code = await this.proc.exited;
    this.finish(this.exitReason ?? `${reason} (code ${code})`);
  }

  private dispatch(m: ControlMessage): void {
    if (m.type === 'reply') {
      if ((m.flags & 1) === 0) {
        // The attach command's own block: success means we are attached.
        this.settleAttach(m.ok);
        if (!m.ok) this.exitReason = m.lines.join(' ') || 'attach failed';
        return;
      }
      const p = this.pending.shift();
      p?.resolve(m);
      return;
    }
    if (m.type === 'exit') {
      this.exitReason = m.reason || 'exit';
      this.settleAttach(false);
    } else {
      // Any notification also means the attach went through.
      this.settleAttach(true);
    }
    try {
      this.options.onMessage(m, this);
    } catch {
      /* a consumer's bug must not stop the read loop */
    }
  }

  private finish(reason: string): void {
    if (this.exitReason === null || this.exitReason !== reason) this.exitReason ??= reason;
    this.settleAttach(false);
    const err = new MonitorError('TMUX_UNAVAILABLE', `tmux control client exited: ${this.exitReason}`);
    for (const p of this.pending.splice(0)) p.reject(err);
    this.options.onExit(this.exitReason, this);
  }
}

/** tmux answered a command with %error. */
export class TmuxCommandError extends Error {
  constructor(
    readonly command: string,
    readonly output: string,
  ) {
    super(`tmux ${command}: ${output}`);
    this.name = 'TmuxCommandError';
  }
}

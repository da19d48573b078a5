/**
 * tmux's own status line, pushed rather than polled: keeps the global user option
 * `@tmux_monitor_attention` ("2 waiting · 1 error", empty when nothing needs a person) and
 * the per-window `@tmux_monitor_agent` ("claude waiting") current, so that people can put
 * `#{@tmux_monitor_attention}` in `status-right`. tmux redraws status lines when an option
 * changes, so nothing has to poll.
 *
 * Changes are gathered for `batchMs` and written with one tmux command (`set … ; set …`).
 * The options are removed on `close()`.
 */
import type { AttentionService } from '../../attention/service.ts';
import type { AttentionState, PaneRecord } from '../../attention/tracker.ts';
import { run } from '../process/index.ts';
import { socketArgs } from '../source/tmux-source.ts';

export const GLOBAL_OPTION = '@tmux_monitor_attention';
export const WINDOW_OPTION = '@tmux_monitor_agent';

export interface StatusLineOptions {
  tmuxBin?: string;
  socketName?: string;
  socketPath?: string;
  /** Changes within this window go out as one tmux command (ms, default 50). */
  batchMs?: number;
  /** The `host` this tmux server's panes carry: panes of other hosts (a NATS bus) get no window option. */
  host?: string;
  /** Told when tmux refuses a command (the status line is a nicety: never fatal). */
  warn?: (message: string) => void;
}

const ORDER: readonly AttentionState[] = ['waiting', 'error', 'done'];

/** "2 waiting · 1 error", or '' when nothing needs a person. */
export function attentionSummary(panes: Iterable<Readonly<PaneRecord>>): string {
  const counts = new Map<AttentionState, number>();
  for (const p of panes) if (p.attention) counts.set(p.attention, (counts.get(p.attention) ?? 0) + 1);
  return ORDER.filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(' · ');
}

/**
 * Per window of this tmux server (panes of `host`, or naming none; every pane when no `host` is given): the most urgent attention
 * of its panes, with the agent ("claude waiting").
 */
export function windowSummaries(panes: Iterable<Readonly<PaneRecord>>, host?: string): Map<string, string> {
  const best = new Map<string, Readonly<PaneRecord>>();
  for (const p of panes) {
    const id = p.location.window_id;
    if (!p.attention || id === undefined || (host !== undefined && p.location.host !== undefined && p.location.host !== host)) continue;
    const current = best.get(id);
    if (!current || ORDER.indexOf(p.attention) < ORDER.indexOf(current.attention!)) best.set(id, p);
  }
  return new Map([...best].map(([id, p]) => [id, `${p.agentType} ${p.attention}`]));
}

export class TmuxStatusLine {
  private readonly tmuxBin: string;
  private readonly sock: string[];
  /** What tmux holds; null at start: written once anyway, clearing what a crashed run left. */
  private globalValue: string | null = null;
  private started = false;
  private readonly windows = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly attention: AttentionService,
    private readonly options: StatusLineOptions = {},
  ) {
    this.tmuxBin = options.tmuxBin ?? 'tmux';
    this.sock = socketArgs(options);
    this.unsubscribe = attention.onChange(() => this.schedule());
    this.schedule();
  }

  /** Resolves when every change seen so far is in tmux (for tests and shutdown). */
  async settled(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flush();
    }
    await this.writing;
  }

  /** Stop following changes and remove the options from tmux. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.timer);
    await this.writing;
    const commands: string[][] = [['set-option', '-gu', GLOBAL_OPTION]];
    for (const id of this.windows.keys()) commands.push(['set-option', '-wu', '-t', id, WINDOW_OPTION]);
    this.windows.clear();
    await this.apply(commands);
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.batchMs ?? 50);
  }

  private flush(): void {
    const panes = [...this.attention.tracker.all()];
    const commands: string[][] = [];
    const summary = attentionSummary(panes);
    if (summary !== this.globalValue) {
      this.globalValue = summary;
      commands.push(['set-option', '-g', GLOBAL_OPTION, summary]);
    }
    const next = windowSummaries(panes, this.options.host);
    for (const [id, value] of next) {
      if (this.windows.get(id) === value) continue;
      this.windows.set(id, value);
      commands.push(['set-option', '-w', '-t', id, WINDOW_OPTION, value]);
    }
    for (const id of [...this.windows.keys()]) {
      if (next.has(id)) continue;
      this.windows.delete(id);
      commands.push(['set-option', '-wu', '-t', id, WINDOW_OPTION]);
    }
    if (commands.length === 0) return;
    const quiet = !this.started;
    this.started = true;
    this.writing = this.writing.then(() => this.apply(commands, quiet));
  }

  /** One tmux process for the batch; if tmux refuses it (a window just closed), one by one. */
  private async apply(commands: string[][], quiet = false): Promise<void> {
    if (commands.length === 0) return;
    const args = [...this.sock, ...commands.flatMap((c, i) => (i === 0 ? c : [';', ...c]))];
    const result = await run(this.tmuxBin, args, { unsetEnv: ['TMUX'], timeoutMs: 5000 });
    if (result.code === 0 || commands.length === 1) {
      // The first write (clearing a stale value) may find no tmux yet: nothing to say then.
      if (result.code !== 0 && !quiet) this.options.warn?.(`tmux status line: ${result.stderr.trim()}`);
      return;
    }
    for (const command of commands) await run(this.tmuxBin, [...this.sock, ...command], { unsetEnv: ['TMUX'], timeoutMs: 5000 });
  }
}

/**
 * Decides a pane's agent status from, in order of trust: the pane's process (dead →
 * exited), the `@agent_state` pane option (set by an agent's own hooks), then what tmux
 * shows of the program: its name and child processes, the terminal title, whether it is in
 * the alternate screen, the cursor and the screen itself.
 */
import type { AgentStatus } from '../../protocol/events.ts';
import { AGENTS } from './registry.ts';
import { GENERIC_WAITING, SHELL_PROMPT, SHELLS } from './shell.ts';
import { DEFAULT_SCOPE, type AgentProfile, type Detection, type ScreenPattern, type ScreenView } from './types.ts';

export { AGENTS } from './registry.ts';

/** Everything tmux tells about a pane, read together when its status is read. */
export interface PaneFacts {
  /** `#{pane_current_command}`: the foreground program's name. */
  command: string;
  dead: boolean;
  deadStatus: number | null;
  /** The `@agent_state` pane option ('' when unset). */
  agentState: string;
  /** The visible screen (`capture-pane -p -J`), or null when not read. */
  screen: string | null;
  /** `#{pane_title}` (set by the program with OSC 0/2). */
  title?: string;
  /** `#{alternate_on}`: a full-screen program. */
  alternate?: boolean;
  /** `#{cursor_x}`, `#{cursor_y}`. */
  cursor?: [number, number] | null;
  /** `remain-on-exit` is on: the pane stays when its program ends, and tmux may not say so (tracker.ts). */
  remainOnExit?: boolean;
  /** Names of the foreground program's child processes (a running tool, a native binary behind a shim). */
  children?: string[];
  /** Seconds since the pane last printed, when known. */
  secondsSinceOutput?: number | null;
}

/** What the tracker remembers of a pane between reads. */
export interface PaneMemory {
  /** Agent type seen while the pane runs the same command (a banner scrolls away). */
  sticky?: string;
  /** The agent that ran here last and has not been followed by another program. */
  lastAgent?: string | null;
}

const STATE_ALIASES: Record<string, AgentStatus> = {
  ready: 'ready',
  idle: 'ready',
  done: 'ready',
  stopped: 'ready',
  finished: 'ready',
  busy: 'busy',
  working: 'busy',
  running: 'busy',
  thinking: 'busy',
  waiting: 'waiting',
  permission: 'waiting',
  input: 'waiting',
  question: 'waiting',
  prompt: 'waiting',
  blocked: 'waiting',
  error: 'error',
  failed: 'error',
  exited: 'exited',
  exit: 'exited',
  unknown: 'unknown',
};

/** `@agent_state` value → status (case-insensitive, a few synonyms), or null if not one. */
export function parseAgentState(value: string): AgentStatus | null {
  return STATE_ALIASES[value.trim().toLowerCase()] ?? null;
}

/** The screen's non-empty lines, trailing whitespace removed. */
export function screenLines(screen: string): string[] {
  return screen
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
}

export function viewOf(facts: PaneFacts): ScreenView {
  const rows = (facts.screen ?? '').split('\n').map((l) => l.trimEnd());
  return {
    lines: rows.filter((l) => l.trim() !== ''),
    rows,
    title: facts.title ?? '',
    alternate: facts.alternate ?? false,
    cursor: facts.cursor ?? null,
    children: facts.children ?? [],
    secondsSinceOutput: facts.secondsSinceOutput ?? null,
  };
}

/** Seconds without output after which a spinner in the title no longer counts as busy. */
export const STALE_TITLE_S = 10;

export function match(lines: string[], patterns: readonly ScreenPattern[], scope: number): ScreenPattern | null {
  for (const p of patterns) {
    const tail = lines.slice(-(p.last ?? scope)).join('\n');
    if (p.re.test(tail)) return p;
  }
  return null;
}

export function isShell(command: string): boolean {
  return command === '' || SHELLS.test(command);
}

/**
 * Which agent the screen belongs to. Each signature (text only that agent shows) scores 2;
 * each of its status patterns that is not `generic` and matches in its scope scores 1, so a screen with no
 * banner in view (an error under a prompt box) is still recognised by two of its
 * patterns. A score of 2 is needed; ties go to the earlier agent in AGENTS.
 */
export function identifyByScreen(screen: string): AgentProfile | null {
  const lines = screenLines(screen);
  let best: AgentProfile | null = null;
  let bestScore = 1;
  for (const a of AGENTS) {
    let score = 0;
    for (const s of a.signatures) if (s.test(screen)) score += 2;
    for (const [patterns, scope] of [
      [a.waiting, DEFAULT_SCOPE.waiting],
      [a.busy, DEFAULT_SCOPE.busy],
      [a.error, DEFAULT_SCOPE.error],
      [a.ready, DEFAULT_SCOPE.ready],
    ] as const) {
      for (const p of patterns) {
        if (!p.generic && p.re.test(lines.slice(-(p.last ?? scope)).join('\n'))) score += 1;
      }
    }
    if (score > bestScore) {
      best = a;
      bestScore = score;
    }
  }
  return best;
}

export function profileFor(type: string): AgentProfile | undefined {
  return AGENTS.find((a) => a.type === type);
}

/**
 * Runtimes an agent may run under (an npm install shows as `node`): only then do the
 * children and the title name the agent. (A title outlives the program that set it: after
 * an agent quits, a shell that sets no title keeps showing the agent's.)
 */
const RUNTIMES = /^(node|nodejs|bun|deno|python[\d.]*|pypy[\d.]*|npx|npm|pnpm|yarn|tsx|ts-node|uv|uvx|pipx|\d+\.\d+\.\d+)$/i;

/** An agent by the pane's own facts (process, children, title), without the screen. */
export function identifyByProcess(facts: PaneFacts): AgentProfile | null {
  const byCommand = AGENTS.find((a) => a.commands.test(facts.command));
  if (byCommand) return byCommand;
  if (!RUNTIMES.test(facts.command)) return null;
  const children = facts.children ?? [];
  if (children.length > 0) {
    const byChild = AGENTS.find((a) => a.children && children.some((c) => a.children!.test(c)));
    if (byChild) return byChild;
  }
  const title = facts.title ?? '';
  if (title !== '') {
    const byTitle = AGENTS.find((a) => a.titles?.test(title));
    if (byTitle) return byTitle;
  }
  return null;
}

/**
 * Is the shell at its prompt? The last non-empty line ends like a prompt and, when the
 * cursor is known, the cursor is on that line (an agent's own `>` box has the cursor in it too,
 * but its process is not a shell).
 */
export function atShellPrompt(view: ScreenView): boolean {
  const last = view.lines[view.lines.length - 1];
  if (last === undefined) return false;
  if (view.cursor) {
    const row = view.rows[view.cursor[1]];
    if (row === undefined) return SHELL_PROMPT.test(last) || PROMPT_LINE.test(last);
    // The cursor sits on a prompt (with or without a typed command after it).
    return row.trim() === '' ? SHELL_PROMPT.test(last) : SHELL_PROMPT.test(row) || PROMPT_LINE.test(row);
  }
  return SHELL_PROMPT.test(last) || PROMPT_LINE.test(last);
}

/** A prompt line with a command typed after it (`$ claude`, `user@host:~/p$ codex --x`). */
const PROMPT_LINE = /^(?:.*?[$#%❯])\s+(\S.*)$/;

/**
 * The agent a shell pane last ran, from what is left on its screen: the agent's screen
 * above the shell prompt, or the command line that started it (`$ opencode`, when the agent
 * drew in the alternate screen and left nothing behind).
 */
export function exitedAgentOnScreen(view: ScreenView): string | null {
  return lastRunOnScreen(view) ?? null;
}

/**
 * What the screen says ran last in a shell pane: an agent's type, null when another
 * program ran after it (or nothing an agent left is in view), undefined when the screen
 * shows no command line at this prompt (then only the agent's own leftovers can tell).
 */
function lastRunOnScreen(view: ScreenView, remembered?: string | null): string | null | undefined {
  // The prompt the shell is at now is the last line; look above it.
  const above = view.lines.slice(0, -1);
  if (above.length === 0) return undefined;
  // The last command line typed at this same prompt above decides, when there is one: an
  // agent started there (`$ claude`, `$ npx @openai/codex`), or another program ran since.
  // (Same prompt text: an agent's own `❯ text` or `> text` lines are not shell prompts.)
  const prompt = /^(.*?[$#%❯>])(?:\s|$)/.exec(view.lines[view.lines.length - 1]!)?.[1];
  for (let i = above.length - 1; i >= 0 && prompt; i--) {
    const line = above[i]!;
    if (!line.startsWith(prompt + ' ')) continue;
    const words = line
      .slice(prompt.length)
      .trim()
      .split(/\s+/)
      .map((w) => w.split('/').pop() ?? '');
    const agent = AGENTS.find((a) => words.some((w) => a.commands.test(w) || w.toLowerCase().includes(a.type)));
    if (agent) return agent.type;
    // An alias that started the agent the tracker saw: the agent's screen follows it.
    const after = above.slice(i + 1).join('\n');
    if (remembered && after.trim() !== '' && identifyByScreen(after)?.type === remembered) return remembered;
    return null;
  }
  // No command line in view (scrolled away): the agent's own screen above the prompt.
  return identifyByScreen(above.join('\n'))?.type ?? undefined;
}

/** The agent type for a pane: its process, else its screen, else `sticky` (seen before), else shell. */
export function identify(facts: PaneFacts, sticky?: string): string {
  const byProcess = identifyByProcess(facts);
  if (byProcess) return byProcess.type;
  if (facts.screen !== null) {
    const view = viewOf(facts);
    // An agent's old screen above a shell prompt: the agent has exited to the shell.
    if (!(isShell(facts.command) && atShellPrompt(view))) {
      const byScreen = identifyByScreen(facts.screen);
      if (byScreen) return byScreen.type;
      if (sticky) return sticky;
    }
    return 'shell';
  }
  return sticky ?? 'shell';
}

/** Status of an agent's screen: waiting, then busy (screen, then title), then error, then ready. */
export function statusOf(profile: AgentProfile, view: ScreenView): Detection {
  const d = rawStatus(profile, view);
  return profile.refine?.(d, view) ?? d;
}

function rawStatus(profile: AgentProfile, view: ScreenView): Detection {
  const lines = view.lines;
  const type = profile.type;
  const waiting = match(lines, profile.waiting, DEFAULT_SCOPE.waiting);
  if (waiting) return { status: 'waiting', agent_type: type, reason: waiting.reason };
  const waitingTitle = profile.waitingTitles && view.title !== '' ? match([view.title], profile.waitingTitles, 1) : null;
  if (waitingTitle) return { status: 'waiting', agent_type: type, reason: waitingTitle.reason };
  const busy = match(lines, profile.busy, DEFAULT_SCOPE.busy);
  if (busy) return { status: 'busy', agent_type: type, reason: busy.reason };
  // A spinner animates: one in a title that has not changed (no output) for a while is stale.
  const spinning = view.secondsSinceOutput === null || view.secondsSinceOutput < STALE_TITLE_S;
  const busyTitle = profile.busyTitles && view.title !== '' && spinning ? match([view.title], profile.busyTitles, 1) : null;
  if (busyTitle) return { status: 'busy', agent_type: type, reason: busyTitle.reason };
  const error = match(lines, profile.error, DEFAULT_SCOPE.error);
  if (error) return { status: 'error', agent_type: type, reason: error.reason };
  const ready = match(lines, profile.ready, DEFAULT_SCOPE.ready);
  if (ready) return { status: 'ready', agent_type: type, reason: ready.reason };
  return { status: 'unknown', agent_type: type, reason: 'no known screen' };
}

/** Status of an agent's screen (the screen alone). */
export function statusFromScreen(profile: AgentProfile, screen: string): Detection {
  return statusOf(profile, viewOf({ command: '', dead: false, deadStatus: null, agentState: '', screen }));
}

export function detect(facts: PaneFacts, sticky?: string, memory: PaneMemory = {}): Detection {
  const view = viewOf(facts);
  const shellInFront = isShell(facts.command);
  if (facts.dead) {
    const code = facts.deadStatus === null ? '' : ` (status ${facts.deadStatus})`;
    const type = sticky ?? memory.lastAgent ?? identifyByProcess(facts)?.type ?? 'shell';
    return { status: 'exited', agent_type: type, reason: `process exited${code}` };
  }
  const fromOption = parseAgentState(facts.agentState);
  if (fromOption) return { status: fromOption, agent_type: identify(facts, sticky), reason: '@agent_state' };
  if (shellInFront && facts.screen !== null && atShellPrompt(view)) {
    // Back at the shell: if an agent ran here (seen, or left on screen), it has exited.
    // A command line at this prompt after the agent's says another program ran since.
    const onScreen = lastRunOnScreen(view, memory.lastAgent);
    const gone = onScreen === undefined ? (memory.lastAgent ?? null) : onScreen;
    if (gone) return { status: 'exited', agent_type: gone, reason: 'back at the shell' };
    const waiting = match(view.lines, GENERIC_WAITING, 1);
    if (waiting) return { status: 'waiting', agent_type: 'shell', reason: waiting.reason };
    return { status: 'ready', agent_type: 'shell', reason: 'shell prompt' };
  }
  const type = identify(facts, sticky);
  const profile = profileFor(type);
  if (profile) {
    if (facts.screen === null) return { status: 'unknown', agent_type: type, reason: 'screen not read yet' };
    return statusOf(profile, view);
  }
  // A shell, or a program that is not a known agent.
  const waiting = match(view.lines, GENERIC_WAITING, 1);
  if (waiting) return { status: 'waiting', agent_type: 'shell', reason: waiting.reason };
  if (shellInFront) {
    // A shell script runs its commands in its own process group: they are its children.
    const child = view.children[0];
    if (child !== undefined) return { status: 'busy', agent_type: 'shell', reason: `running ${child}` };
    return { status: 'ready', agent_type: 'shell', reason: 'shell prompt' };
  }
  // A full-screen program we do not know (an editor, an agent not in the tables): its
  // screen says nothing we can read, so not `busy`.
  if (view.alternate) return { status: 'unknown', agent_type: 'shell', reason: `full-screen program ${facts.command}` };
  return { status: 'busy', agent_type: 'shell', reason: `running ${facts.command}` };
}

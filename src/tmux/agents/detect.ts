/**
 * Decides a pane's agent status from, in order of trust: the `@agent_state` pane option
 * (set by an agent's own hooks), the pane's process (dead → exited), then the screen.
 */
import type { AgentStatus } from '../../protocol/events.ts';
import { aider } from './aider.ts';
import { claude } from './claude.ts';
import { codex } from './codex.ts';
import { gemini } from './gemini.ts';
import { GENERIC_WAITING, SHELL_PROMPT, SHELLS } from './shell.ts';
import { DEFAULT_SCOPE, type AgentProfile, type Detection, type ScreenPattern } from './types.ts';

/** Known agents, in the order ties are broken. */
export const AGENTS: readonly AgentProfile[] = [claude, codex, gemini, aider];

export interface PaneFacts {
  command: string;
  dead: boolean;
  deadStatus: number | null;
  agentState: string;
  /** The visible screen (`capture-pane -p -J`), or null when not read. */
  screen: string | null;
}

const STATE_ALIASES: Record<string, AgentStatus> = {
  ready: 'ready', idle: 'ready', done: 'ready', stopped: 'ready', finished: 'ready',
  busy: 'busy', working: 'busy', running: 'busy', thinking: 'busy',
  waiting: 'waiting', permission: 'waiting', input: 'waiting', question: 'waiting', prompt: 'waiting', blocked: 'waiting',
  error: 'error', failed: 'error',
  exited: 'exited', exit: 'exited',
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

function match(lines: string[], patterns: readonly ScreenPattern[], scope: number): ScreenPattern | null {
  for (const p of patterns) {
    const tail = lines.slice(-(p.last ?? scope)).join('\n');
    if (p.re.test(tail)) return p;
  }
  return null;
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

/** The agent type for a pane: its command, else its screen, else `sticky` (seen before), else shell. */
export function identify(facts: PaneFacts, sticky?: string): string {
  const byCommand = AGENTS.find((a) => a.commands.test(facts.command));
  if (byCommand) return byCommand.type;
  if (facts.screen !== null) {
    const lines = screenLines(facts.screen);
    const last = lines[lines.length - 1] ?? '';
    // An agent's old screen above a shell prompt: the agent has exited to the shell.
    const atShellPrompt = SHELLS.test(facts.command) && SHELL_PROMPT.test(last);
    if (!atShellPrompt) {
      const byScreen = identifyByScreen(facts.screen);
      if (byScreen) return byScreen.type;
      if (sticky) return sticky;
    }
    return 'shell';
  }
  return sticky ?? 'shell';
}

/** Status of an agent's screen: waiting, then busy, then error, then ready. */
export function statusFromScreen(profile: AgentProfile, screen: string): Detection {
  const lines = screenLines(screen);
  const waiting = match(lines, profile.waiting, DEFAULT_SCOPE.waiting);
  if (waiting) return { status: 'waiting', agent_type: profile.type, reason: waiting.reason };
  const busy = match(lines, profile.busy, DEFAULT_SCOPE.busy);
  if (busy) return { status: 'busy', agent_type: profile.type, reason: busy.reason };
  const error = match(lines, profile.error, DEFAULT_SCOPE.error);
  if (error) return { status: 'error', agent_type: profile.type, reason: error.reason };
  const ready = match(lines, profile.ready, DEFAULT_SCOPE.ready);
  if (ready) return { status: 'ready', agent_type: profile.type, reason: ready.reason };
  return { status: 'unknown', agent_type: profile.type, reason: 'no known screen' };
}

export function detect(facts: PaneFacts, sticky?: string): Detection {
  const type = identify(facts, sticky);
  if (facts.dead) {
    const code = facts.deadStatus === null ? '' : ` (status ${facts.deadStatus})`;
    return { status: 'exited', agent_type: type, reason: `process exited${code}` };
  }
  const fromOption = parseAgentState(facts.agentState);
  if (fromOption) return { status: fromOption, agent_type: type, reason: '@agent_state' };
  const profile = profileFor(type);
  if (profile) {
    if (facts.screen === null) return { status: 'unknown', agent_type: type, reason: 'screen not read yet' };
    return statusFromScreen(profile, facts.screen);
  }
  // A shell, or a program that is not a known agent.
  const lines = facts.screen === null ? [] : screenLines(facts.screen);
  const waiting = match(lines, GENERIC_WAITING, 1);
  if (waiting) return { status: 'waiting', agent_type: 'shell', reason: waiting.reason };
  if (facts.command === '' || SHELLS.test(facts.command)) return { status: 'ready', agent_type: 'shell', reason: 'shell prompt' };
  return { status: 'busy', agent_type: 'shell', reason: `running ${facts.command}` };
}

/**
 * Claude Code (Anthropic's `claude` CLI, an Ink TUI in the normal screen). From the real
 * screens of Claude Code 2.1.197 (test/fixtures/screens/claude/). The native build names
 * its process `claude` (older npm builds showed as `node` or as their version, `2.0.31`).
 * The title is `✳ Claude Code` at rest and starts with a braille spinner while it works.
 *
 * | status  | what tmux shows |
 * |---------|------------------|
 * | busy    | `esc to interrupt` in the footer (request in flight, streaming, a tool running); the title spinner |
 * | waiting | a dialog of numbered choices with the `❯` pointer (permission, trust, API key, theme, ask-the-user), `Press Enter to continue…`, `Enter to confirm · Esc to cancel` |
 * | error   | `API Error: …` (500, 529 overloaded after its retries, …), `Context limit reached`, `There's an issue with the selected model`, login/key errors, below the last prompt sent |
 * | ready   | the input box `❯` between two rules (empty or with a typed prompt), `? for shortcuts`, the slash menu below it |
 */
import type { AgentProfile, Detection, ScreenView } from './types.ts';

const ERROR_LINE =
  /API Error|Context limit reached|issue with the selected model|Prompt is too long|Please run \/login|Invalid API key|Credit balance is too low|usage limit reached|OAuth token (has )?expired|Request timed out/i;

/**
 * An error counts while it is the outcome of the last prompt sent: between that prompt
 * (`❯ text` in the transcript) and the input box (`❯` between two rules). A new prompt
 * sent below an old error is a new turn.
 */
function refine(d: Detection, view: ScreenView): Detection | null {
  if (d.status === 'waiting' || d.status === 'busy') return null;
  const lines = view.lines;
  let box = -1;
  for (let i = lines.length - 1; i >= 1 && i >= lines.length - 12; i--) {
    if (/^[│|]?\s*[❯>!](\s|$)/.test(lines[i]!) && /^\s*[─━]{8,}/.test(lines[i - 1]!)) {
      box = i - 1;
      break;
    }
  }
  if (box < 0) return null;
  for (let i = box - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (/^[❯>]\s/.test(line)) break;
    if (ERROR_LINE.test(line)) return { status: 'error', agent_type: d.agent_type, reason: 'API error' };
  }
  return d.status === 'error' ? { status: 'ready', agent_type: d.agent_type, reason: 'prompt' } : null;
}

export const claude: AgentProfile = {
  type: 'claude',
  // `2.0.31`: older builds set process.title to their version.
  commands: /^(claude(-code)?(\.exe)?|\d+\.\d+\.\d+)$/i,
  titles: /Claude Code/,
  // The title is `✳ Claude Code` at rest and starts with a braille spinner while it works.
  busyTitles: [{ re: /^[\u2800-\u28ff]\s/, reason: 'title spinner' }],
  refine,
  signatures: [
    /Claude Code/,
    /Welcome to Claude/,
    /Claude needs your permission/,
    /tell Claude what to do differently/,
    /^\s*[✻✢✳✶✽]\s+\S+…/m,
    /⏵⏵ (accept edits|bypass permissions|auto-accept)/,
    /Please run \/login/,
    /Tab to amend/,
    /^\s*⎿\s/m, // tool-result gutter
    /^● \S/m, // message bullet
  ],
  waiting: [
    // Every Claude Code dialog (permission, trust, API key, theme, model nudges) is a list
    // of numbered choices with the `❯` pointer; prose that asks "Do you want …?" is not.
    { re: /^[\s│|]*❯\s*\d+\.\s+\S/m, reason: 'numbered choice' },
    { re: /Claude needs your permission/, reason: 'permission prompt' },
    { re: /Do you trust the files in this folder\?|Yes, I trust this folder/, reason: 'trust prompt' },
    { re: /Press Enter to continue/i, reason: 'press Enter to continue', last: 4 },
    { re: /Enter to confirm · Esc to cancel/, reason: 'dialog', last: 3 },
    { re: /\((Y\/n|y\/N|y\/n)\)\s*$|\[(Y\/n|y\/N|y\/n)\]\s*$/m, reason: 'yes/no question', last: 2, generic: true },
  ],
  busy: [
    { re: /esc to interrupt/i, reason: 'esc to interrupt' },
    { re: /^\s*[·✢✳✶✻✽*]\s+[A-Z][\w-]*…/m, reason: 'spinner' },
  ],
  error: [
    { re: /API Error/i, reason: 'API error', generic: true },
    { re: /Please run \/login/, reason: 'login required' },
    { re: /Invalid API key/i, reason: 'invalid API key' },
    { re: /Credit balance is too low/i, reason: 'credit balance too low' },
    { re: /usage limit reached|rate[_ ]limit/i, reason: 'rate limited', generic: true },
    { re: /OAuth token (has )?expired/i, reason: 'login expired' },
  ],
  ready: [
    { re: /^\s*[│|]\s*>(\s|$)/m, reason: 'prompt box' },
    { re: /^\s*>(\s.*)?$/m, reason: 'prompt', generic: true },
    { re: /^\s*[│|]?\s*❯(\s.*)?$/m, reason: 'prompt', generic: true },
    { re: /\? for shortcuts/, reason: 'prompt footer' },
    { re: /! for shell mode/, reason: 'prompt footer' },
    { re: /⏵⏵ /, reason: 'prompt footer' },
    // The slash-command menu opens below the prompt box and pushes it up.
    { re: /^❯\s\/\S*\s*$/m, reason: 'slash menu', last: 24 },
  ],
};

/**
 * Claude Code (Anthropic's `claude` CLI, an Ink TUI). The native build sets its process
 * title to `claude`; older npm builds showed as `node` or as their version (`2.0.31`);
 * the screen tells it apart either way. Checked against the strings of Claude Code
 * 2.1.197: spinner glyphs `· ✢ * ✶ ✻ ✽` (✳ on Ghostty), the hint `esc to interrupt`
 * while working, `? for shortcuts`, the `❯` pointer of choices.
 *
 * | status  | what the screen shows |
 * |---------|------------------------|
 * | busy    | spinner line `✻ Pondering… (12s · ↑ 1.2k tokens · esc to interrupt)`; "esc to interrupt" |
 * | waiting | "Do you want to proceed?", "Do you want to make this edit to …?", "Do you want to create …?", numbered choices `❯ 1. Yes`, "Claude needs your permission", "Do you trust the files in this folder?" |
 * | error   | `API Error: 529 …`, "Please run /login", "Invalid API key", "Credit balance is too low", "usage limit reached" |
 * | ready   | the input box `│ > │` (or `> ` between rules), footer "? for shortcuts", "⏵⏵ accept edits on" |
 */
import type { AgentProfile } from './types.ts';

export const claude: AgentProfile = {
  type: 'claude',
  // `2.0.31`: older builds set process.title to their version.
  commands: /^(claude(-code)?(\.exe)?|\d+\.\d+\.\d+)$/i,
  titles: /Claude Code/,
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
    { re: /⏵⏵ /, reason: 'prompt footer' },
    // The slash-command menu opens below the prompt box and pushes it up.
    { re: /^❯\s\/\S*\s*$/m, reason: 'slash menu', last: 24 },
  ],
};

/**
 * Codex CLI (OpenAI's `codex`, a ratatui TUI). The process shows as `codex` or `node`.
 *
 * | status  | what the screen shows |
 * |---------|------------------------|
 * | busy    | `• Working (12s • esc to interrupt)`; "esc to interrupt" |
 * | waiting | "Would you like to run the following command?", "Would you like to make the following edits?", "Do you want to approve access to …?", "… needs your approval", `› 1. Yes, proceed`, "Press enter to confirm or esc to cancel" |
 * | error   | `■ stream error: …`, "unexpected status 401", "You've hit your usage limit", `ERROR: …` |
 * | ready   | the composer `› Ask Codex to do anything` (older: `▌`), footer "⏎ send", "100% context left" |
 */
import type { AgentProfile } from './types.ts';

export const codex: AgentProfile = {
  type: 'codex',
  commands: /^codex(-[\w-]+)?$/i,
  signatures: [
    /OpenAI Codex/,
    /Ask Codex to do anything/,
    /tell Codex what to do differently/,
    /Would you like to run the following command\?/,
    /Would you like to make the following edits\?/,
    /approved codex/,
    /⏎ send/,
    /^\s*>_ /m,
  ],
  waiting: [
    { re: /Would you like to run the following command\?/, reason: 'command approval' },
    { re: /Would you like to make the following edits\?/, reason: 'edit approval' },
    { re: /Do you want to approve access to/, reason: 'network approval' },
    { re: /needs your approval/, reason: 'approval request' },
    { re: /Allow command\?/, reason: 'command approval' },
    { re: /Yes, provide the requested info/, reason: 'input request' },
    { re: /Press enter to confirm or esc to cancel/, reason: 'approval request' },
    { re: /^[\s│|]*›\s*\d+\.\s+\S/m, reason: 'numbered choice' },
  ],
  busy: [
    { re: /esc to interrupt/i, reason: 'esc to interrupt' },
    { re: /^\s*[•◦·]?\s*Working\b/m, reason: 'working', generic: true },
  ],
  error: [
    { re: /^\s*■\s/m, reason: 'error', generic: true },
    { re: /stream error|stream disconnected/i, reason: 'stream error', generic: true },
    { re: /unexpected status \d{3}/i, reason: 'API error', generic: true },
    { re: /You've hit your usage limit|rate limit/i, reason: 'rate limited', generic: true },
    { re: /^\s*ERROR[:\s]/m, reason: 'error', generic: true },
  ],
  ready: [
    { re: /Ask Codex to do anything/, reason: 'prompt' },
    { re: /⏎ send/, reason: 'prompt footer' },
    { re: /\d+% context left/, reason: 'prompt footer' },
    { re: /^\s*[›▌]\s/m, reason: 'prompt', generic: true },
  ],
};

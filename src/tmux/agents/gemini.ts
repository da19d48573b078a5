/**
 * Gemini CLI (Google's `gemini`, an Ink TUI). The process shows as `gemini` or `node`.
 *
 * | status  | what the screen shows |
 * |---------|------------------------|
 * | busy    | `⠏ Reticulating splines (esc to cancel, 12s)`: braille spinner, "esc to cancel" |
 * | waiting | tool confirmation: "Apply this change?", "Allow execution of: '…'?", "Do you want to proceed?", choices `● 1. Allow once` / "Allow for this session" / "No, suggest changes (esc)" (older: "Yes, allow once"), "Waiting for user confirmation..." |
 * | error   | `✕ [API Error: …]`, "Error authenticating", "Quota exceeded", `RESOURCE_EXHAUSTED`, 429 |
 * | ready   | the input box `>   Type your message or @path/to/file`, footer `gemini-2.5-pro (100% context left)` |
 */
import type { AgentProfile } from './types.ts';

export const gemini: AgentProfile = {
  type: 'gemini',
  commands: /^gemini(-cli)?$/i,
  // `◇  Ready (folder)`, `✦  Working… (folder)`, `✋  Action Required (folder)`.
  titles: /^[◇✦✋⏲]\s+.*\(.*\)\s*$/,
  waitingTitles: [{ re: /^✋|Action Required/, reason: 'title: action required' }],
  busyTitles: [{ re: /^✦\s/, reason: 'title: working' }],
  signatures: [
    /Tips for getting started/,
    /Type your message or @path\/to\/file/,
    /gemini-\d+(\.\d+)?-(pro|flash)/i,
    /\(esc to cancel, \d+s\)/,
    /Yes, allow once/,
    /No, suggest changes/,
    /Apply this change\?/,
    /GEMINI\.md/,
    /Gemini CLI/,
    /Waiting for user confirmation/,
  ],
  waiting: [
    { re: /Apply this change\?/, reason: 'edit confirmation' },
    { re: /Allow execution( of)?/, reason: 'command confirmation' },
    { re: /Do you want to proceed\?/, reason: 'tool confirmation', generic: true },
    { re: /Waiting for user confirmation/, reason: 'tool confirmation' },
    { re: /Yes, allow (once|always)|\bAllow once\b|Allow for this session|No, suggest changes/, reason: 'tool confirmation' },
    { re: /^[\s│|]*●\s*\d+\.\s+\S/m, reason: 'numbered choice' },
  ],
  busy: [
    { re: /\(esc to cancel(,[^)]*)?\)/i, reason: 'esc to cancel' },
    { re: /^[\s│|]*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\s+\S/m, reason: 'spinner', generic: true },
  ],
  error: [
    { re: /\[API Error/i, reason: 'API error' },
    { re: /Error authenticating|Failed to login/i, reason: 'authentication failed', generic: true },
    { re: /Quota exceeded|RESOURCE_EXHAUSTED|429 Too Many Requests|status: 429/i, reason: 'quota exceeded', generic: true },
  ],
  ready: [
    { re: /Type your message or @path\/to\/file/, reason: 'prompt box' },
    { re: /^\s*[│|]?\s*>\s/m, reason: 'prompt box', generic: true },
    { re: /\(\d+% context left\)/, reason: 'prompt footer' },
  ],
};

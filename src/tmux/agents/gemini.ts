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
import { refineByTurn } from './turns.ts';
import type { AgentProfile } from './types.ts';

export const gemini: AgentProfile = {
  type: 'gemini',
  commands: /^gemini(-cli)?$/i,
  // `◇  Ready (folder)`, `✦  Working… (folder)`, `✋  Action Required (folder)`.
  titles: /^[◇✦✋⏲]\s+.*\(.*\)\s*$/,
  waitingTitles: [{ re: /^✋|Action Required/, reason: 'title: action required' }],
  busyTitles: [{ re: /^✦\s/, reason: 'title: working' }],
  // Only text Qwen Code (a fork that shares most of the wording) does not show.
  signatures: [
    /gemini-\d+(\.\d+)?-(pro|flash)/i, /GEMINI\.md/, /Gemini CLI/, /geminicli\.com/, /Gemini API Key/,
    /Shift\+Tab to accept edits/, /workspace \(\/directory\)/,
  ],
  waiting: [
    { re: /Apply this change\?/, reason: 'edit confirmation' },
    { re: /Allow execution( of)?/, reason: 'command confirmation' },
    { re: /Do you want to proceed\?/, reason: 'tool confirmation', generic: true },
    { re: /Waiting for user confirmation/, reason: 'tool confirmation' },
    { re: /Yes, allow (once|always)|\bAllow once\b|Allow for this session|No, suggest changes/, reason: 'tool confirmation' },
    { re: /^[\s│|]*●\s*\d+\.\s+\S/m, reason: 'numbered choice' },
    // First-run dialogs: the auth picker and the API-key box.
    { re: /\(Use Enter to select\)/, reason: 'dialog', last: 8 },
    { re: /Press Enter to submit, Esc to cancel/, reason: 'API key box', last: 6 },
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
    // The slash-command menu below the input box: `> /mo` and a list (with `(1/42)`).
    { re: /^[\s│|]*>\s\/\S*\s*$/m, reason: 'slash menu', last: 20 },
    { re: /Type your message or @path\/to\/file/, reason: 'prompt box' },
    { re: /^\s*[│|]?\s*>\s/m, reason: 'prompt box', generic: true },
    { re: /\(\d+% context left\)/, reason: 'prompt footer' },
  ],
  // The input box ` >   Type your message…`; sent prompts ` > text` in boxes above it.
  refine: refineByTurn({ box: /^[│|]?\s?>\s/, prompt: /^[│|]?\s?>\s/, error: /✕|\[API Error/ }),
};

/**
 * Gemini CLI (Google's `gemini`, an Ink TUI in the normal screen). From the real screens
 * of Gemini CLI 0.61 (test/fixtures/screens/gemini/). The npm install shows as `node` (it
 * relaunches itself as a child `node`); the title is `◇  Ready (<folder>)`,
 * `✦  Working… (<folder>)` or `✋  Action Required (<folder>)` (the title stays "Ready"
 * during first-run dialogs, so it is not a ready signal).
 *
 * | status  | what tmux shows |
 * |---------|------------------|
 * | busy    | title `✦  …`; spinner row `⠋ Thinking... (esc to cancel, 0s)` |
 * | waiting | title `✋  Action Required`; `Allow execution of [Shell]?`, `Apply this change?`, choices `● 1. Allow once`; trust, auth picker `(Use Enter to select)`, API-key box `(Press Enter to submit, Esc to cancel…)`, quota dialog `● 1. Keep trying / 2. Stop` |
 * | error   | `✕ [API Error: …]`, `✕ Model stream ended…`, `ℹ This request failed.` below the last prompt sent (also after choosing Stop in the quota or model dialog) |
 * | ready   | the input box ` >   Type your message or @path/to/file` (or a typed prompt), the slash menu |
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
    /gemini-\d+(\.\d+)?-(pro|flash)/i,
    /GEMINI\.md/,
    /Gemini CLI/,
    /geminicli\.com/,
    /Gemini API Key/,
    /Shift\+Tab to accept edits/,
    /workspace \(\/directory\)/,
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
    { re: /^[\s│|]*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\s+(?!Initializing)\S/m, reason: 'spinner', generic: true },
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
  refine: refineByTurn({ box: /^[│|]?\s?>\s/, prompt: /^[│|]?\s?>\s/, error: /✕|\[API Error|This request failed/ }),
};

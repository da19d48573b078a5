/**
 * Qwen Code (`qwen`, a fork of Gemini CLI: the same Ink layout and much of its wording).
 * From the real screens of Qwen Code 0.15.10 (test/fixtures/screens/qwen/). Told apart
 * from Gemini CLI by its title (`Qwen - <folder>`), its banner (`>_ Qwen Code`), its
 * footer (`0.0% context used`) and its dialogs. The npm install shows as `node`.
 *
 * | status  | what tmux shows |
 * |---------|------------------|
 * | busy    | spinner row `⠏ Reticulating splines... (0s · ↓ 5 tokens · esc to cancel)` |
 * | waiting | tool confirmations (`Allow execution`, `Apply this change?`, numbered choices), trust, the auth picker `Select Authentication Method`, the provider wizard `Custom Provider · Step 3/6` with `Enter to submit, Esc to go back` |
 * | error   | `✕ [API Error: …] (Press Ctrl+Y to retry)` below the last prompt sent |
 * | ready   | the input box `>   Type your message or @path/to/file` (or a typed prompt), the slash menu `> /` with `(1/55)` |
 */
import { refineByTurn } from './turns.ts';
import type { AgentProfile } from './types.ts';

export const qwen: AgentProfile = {
  type: 'qwen',
  commands: /^qwen(-code)?$/i,
  titles: /^Qwen\b/,
  signatures: [
    /Qwen Code/,
    /qwen3-coder/i,
    /QWEN\.md/,
    /qwenlm\.github\.io/,
    /Qwen OAuth/,
    /\d+(\.\d+)?% context used/,
    /Ctrl\+Y to retry/,
  ],
  waiting: [
    { re: /Apply this change\?/, reason: 'edit confirmation' },
    { re: /Allow execution( of)?/, reason: 'command confirmation' },
    { re: /Do you want to proceed\?/, reason: 'tool confirmation', generic: true },
    { re: /Yes, allow (once|always)|\bAllow once\b|Allow for this session|No, suggest changes/, reason: 'tool confirmation' },
    { re: /^[\s│|]*[●›❯]\s*\d+\.\s+\S/m, reason: 'numbered choice' },
    // First-run dialogs: the auth picker and the provider wizard (a box with key hints).
    { re: /Select Authentication Method/, reason: 'auth picker', last: 30 },
    { re: /Custom Provider · Step \d+\/\d+/, reason: 'provider wizard' },
    { re: /Enter to (submit|continue|confirm|select|save)\b.*Esc to (go back|cancel)/, reason: 'dialog', last: 4 },
    { re: /↑↓ to navigate/, reason: 'dialog', last: 4 },
  ],
  busy: [
    { re: /\(esc to cancel(,[^)]*)?\)|esc to cancel\)/i, reason: 'esc to cancel' },
    { re: /↓\s*[\d.,]+k?\s*tokens/i, reason: 'tokens streaming' },
    { re: /^[\s│|]*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\s+(?!Initializing)\S/m, reason: 'spinner', generic: true },
  ],
  error: [
    { re: /\[API Error/i, reason: 'API error' },
    { re: /Error authenticating|Failed to login/i, reason: 'authentication failed', generic: true },
  ],
  ready: [
    // The slash-command popup below the input box: `> /` and a list ending in `(1/55)`.
    { re: /^>\s\/\S*/m, reason: 'slash menu', last: 16 },
    { re: /Type your message or @path\/to\/file/, reason: 'prompt box', generic: true },
    { re: /^\s*[│|]?\s*>\s/m, reason: 'prompt box', generic: true },
    { re: /\(\d+% context left\)/, reason: 'prompt footer', generic: true },
  ],
  // The input box `>   Type your message…` at the left edge; sent prompts `  > text` above.
  refine: refineByTurn({ box: /^[│|]?\s?>\s/, prompt: /^\s*>\s/, error: /✕|\[API Error/ }),
};

/**
 * Qwen Code (`qwen`, a fork of Gemini CLI: the same Ink layout and most of its wording).
 * Told apart from Gemini CLI by its title (`Qwen - <folder>`), its banner and its model
 * names. The npm install shows as `node`.
 */
import { refineByTurn } from './turns.ts';
import type { AgentProfile } from './types.ts';

export const qwen: AgentProfile = {
  type: 'qwen',
  commands: /^qwen(-code)?$/i,
  titles: /^Qwen\b/,
  signatures: [/Qwen Code/, /qwen3-coder/i, /QWEN\.md/, /qwenlm\.github\.io/, /Qwen OAuth/, /\d+(\.\d+)?% context used/, /Ctrl\+Y to retry/],
  waiting: [
    { re: /Apply this change\?/, reason: 'edit confirmation' },
    { re: /Allow execution( of)?/, reason: 'command confirmation' },
    { re: /Do you want to proceed\?/, reason: 'tool confirmation', generic: true },
    { re: /Waiting for user confirmation/, reason: 'tool confirmation' },
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
    { re: /^[\s│|]*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\s+\S/m, reason: 'spinner', generic: true },
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

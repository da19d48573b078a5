/**
 * GitHub Copilot CLI (`copilot`, a full-screen TUI in the alternate screen). From the real
 * screens of Copilot CLI 1.0.102 (test/fixtures/screens/copilot/). The npm install shows as
 * `node`; the title is `GitHub Copilot` or `<task> - GitHub Copilot`.
 *
 * | status  | what tmux shows |
 * |---------|------------------|
 * | busy    | the footer's `◉ Working · 96 B esc esc interrupt` (`esc esc edit prompt` before the first token) |
 * | waiting | `Do you want to run this command?` / `… create …?` with `❯ 1. Yes`, folder trust, `Copilot needs information.` with `↑/↓ select · enter accept`; `↑/↓ to navigate · enter to select` |
 * | error   | a `✗ …` block (`✗ Failed to get response from the AI model; retried 5 times …`, `✗ Model '…' not found`) below the last prompt sent |
 * | ready   | the input box `❯` between two rules (empty or typed), footer `Interactive · Manual Approval · …`, the slash menu |
 */
import { refineByTurn } from './turns.ts';
import type { AgentProfile } from './types.ts';

export const copilot: AgentProfile = {
  type: 'copilot',
  commands: /^copilot$/i,
  titles: /GitHub Copilot$/,
  fullScreen: true,
  signatures: [
    /GitHub Copilot/,
    /copilot-instructions\.md/,
    /Interactive · Manual Approval/,
    /tell Copilot what to do differently/,
    /Copilot needs information/,
    /copilot --resume=/,
  ],
  waiting: [
    { re: /↑\/↓ to navigate · enter to select/, reason: 'dialog', last: 4 },
    { re: /↑\/↓ select · enter accept/, reason: 'question', last: 4 },
    { re: /Copilot needs information/, reason: 'question' },
    { re: /^[\s│|]*❯\s*\d+\.\s+\S/m, reason: 'numbered choice' },
  ],
  busy: [
    { re: /^\s*[◉◎●○◌◍]\s+Working\b/m, reason: 'working', last: 2 },
    { re: /esc esc (interrupt|edit prompt)/, reason: 'esc to interrupt', last: 2 },
  ],
  error: [{ re: /^\s*✗\s/m, reason: 'error', generic: true, last: 10 }],
  ready: [
    { re: /Interactive · /, reason: 'prompt footer', last: 2 },
    { re: /^❯(\s|$)/m, reason: 'prompt', generic: true },
  ],
  // The input box `❯` at the left edge; sent prompts ` ❯ text   02:58` in the transcript.
  refine: refineByTurn({ box: /^❯(\s|$)/, prompt: /^\s+❯\s/, error: /^\s*✗\s/ }),
};

/**
 * opencode (`opencode`, a full-screen TUI in the alternate screen; the npm package runs
 * a native `opencode` binary).
 */
import type { AgentProfile } from './types.ts';

export const opencode: AgentProfile = {
  type: 'opencode',
  commands: /^opencode$/i,
  children: /^opencode$/i,
  fullScreen: true,
  signatures: [/opencode/i],
  waiting: [{ re: /Permission required|Allow (once|always)/i, reason: 'permission prompt' }],
  busy: [{ re: /esc (to )?interrupt/i, reason: 'esc to interrupt' }],
  error: [{ re: /\bError\b/, reason: 'error', generic: true }],
  ready: [{ re: /\S/, reason: 'prompt', generic: true }],
};

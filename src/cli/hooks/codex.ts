/**
 * Codex CLI (0.171): Claude-style hooks in `hooks.json` under `$CODEX_HOME` (default `~/.codex`).
 * Seen with the real 0.171.0: SessionStart, UserPromptSubmit, PreToolUse, PermissionRequest,
 * PostToolUse, PostModelRequest (after every model request; `"status":"failed"` when it
 * failed), Stop (the end of a turn; not sent when the turn failed), Interrupt, SessionEnd.
 * Codex runs new or changed hooks only after the user trusts them: its next start shows
 * "Hooks need review" (Review hooks / Trust all and continue / Continue without trusting).
 */
import type { AgentHooks, HookEnv } from './agent.ts';
import { jsonInstall, jsonStatus, jsonUninstall, parseSettings, type HookSpec, type JsonHooksFormat } from './shared.ts';

export const CODEX_SPECS: HookSpec[] = [
  { event: 'SessionStart', state: 'ready' },
  { event: 'UserPromptSubmit', state: 'busy' },
  { event: 'PreToolUse', state: 'busy' },
  // No event says a permission prompt was answered: the screen decides while it is up.
  { event: 'PermissionRequest', state: 'unset' },
  { event: 'PostToolUse', state: 'busy' },
  // A failed request is retried ("Reconnecting… n/5") or ends the turn with an error banner, and
  // no Stop follows: the screen tells which.
  { event: 'PostModelRequest', state: 'unset', when: '"status":"failed"' },
  { event: 'Stop', state: 'ready' },
  { event: 'Interrupt', state: 'ready' },
  { event: 'SessionEnd', state: 'exited' },
];

const FORMAT: JsonHooksFormat = { specs: CODEX_SPECS };

export const codexHooks: AgentHooks = {
  name: 'codex',
  label: 'Codex CLI',
  configPath: ({ env, home }: HookEnv) => `${env.CODEX_HOME || `${home}/.codex`}/hooks.json`,
  reports:
    'ready, busy, exited; a failed request and a permission prompt hand over to the screen; ' +
    'Codex runs the hooks once you trust them ("Hooks need review" at its next start)',
  status: (text, path) => jsonStatus(parseSettings(text, path), FORMAT),
  install: (text, path) => jsonInstall(text, path, FORMAT),
  uninstall: (text, path) => jsonUninstall(text, path),
};

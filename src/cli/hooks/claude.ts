/**
 * Claude Code (2.1): hooks in `settings.json` under `$CLAUDE_CONFIG_DIR` (default `~/.claude`).
 * Event names and matcher values are those of Claude Code 2.1.197's hook table: Notification
 * matches `notification_type` (permission_prompt, idle_prompt, auth_success, elicitation_dialog,
 * elicitation_complete, elicitation_response), StopFailure fires instead of Stop when an API
 * error ended the turn, SessionEnd's reason is clear, logout, prompt_input_exit or other.
 * Each matcher value gets its own group, so the entries work whether a matcher is read as an
 * exact string or as a pattern.
 */
import type { AgentHooks, HookEnv } from './agent.ts';
import { jsonInstall, jsonStatus, jsonUninstall, parseSettings, type HookSpec, type JsonHooksFormat } from './shared.ts';

export const CLAUDE_SPECS: HookSpec[] = [
  { event: 'SessionStart', matcher: 'startup', state: 'ready' },
  { event: 'SessionStart', matcher: 'resume', state: 'ready' },
  { event: 'SessionStart', matcher: 'clear', state: 'ready' },
  { event: 'UserPromptSubmit', state: 'busy' },
  { event: 'PreToolUse', state: 'busy' },
  { event: 'PostToolUse', state: 'busy' },
  { event: 'PostToolUseFailure', state: 'busy' },
  // A permission dialog: no event says it was answered (the tool then runs until PostToolUse),
  // so the screen decides while it is up.
  { event: 'PermissionRequest', state: 'unset' },
  { event: 'Notification', matcher: 'permission_prompt', state: 'unset' },
  { event: 'Elicitation', state: 'waiting' },
  { event: 'ElicitationResult', state: 'busy' },
  { event: 'Notification', matcher: 'elicitation_dialog', state: 'waiting' },
  { event: 'Notification', matcher: 'elicitation_complete', state: 'busy' },
  { event: 'Notification', matcher: 'idle_prompt', state: 'ready-unless-error' },
  { event: 'Stop', state: 'ready' },
  { event: 'StopFailure', state: 'error' },
  { event: 'SessionEnd', matcher: 'prompt_input_exit', state: 'exited' },
  { event: 'SessionEnd', matcher: 'logout', state: 'exited' },
  { event: 'SessionEnd', matcher: 'other', state: 'exited' },
];

const FORMAT: JsonHooksFormat = { specs: CLAUDE_SPECS };

export const claudeHooks: AgentHooks = {
  name: 'claude',
  label: 'Claude Code',
  configPath: ({ env, home }: HookEnv) => `${env.CLAUDE_CONFIG_DIR || `${home}/.claude`}/settings.json`,
  reports: 'ready, busy, waiting (MCP questions), error (API errors), exited; a permission prompt hands over to the screen',
  status: (text, path) => jsonStatus(parseSettings(text, path), FORMAT),
  install: (text, path) => jsonInstall(text, path, FORMAT),
  uninstall: (text, path) => jsonUninstall(text, path),
};

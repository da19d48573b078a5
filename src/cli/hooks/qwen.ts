/**
 * Qwen Code (0.15): Claude-style hooks in `settings.json` under `$QWEN_HOME` (default `~/.qwen`).
 * Its Notification matcher is an exact `notification_type` (permission_prompt, idle_prompt,
 * auth_success, elicitation_dialog); SessionStart/SessionEnd matchers are patterns over the
 * source/reason (SessionEnd: clear, logout, prompt_input_exit, other); StopFailure fires when
 * an API error ended the turn. Hooks are skipped when the user set `disableAllHooks`.
 */
import type { AgentHooks, HookEnv } from './agent.ts';
import { jsonInstall, jsonStatus, jsonUninstall, parseSettings, type HookSpec, type JsonHooksFormat } from './shared.ts';

export const QWEN_SPECS: HookSpec[] = [
  { event: 'SessionStart', matcher: '^(startup|resume|clear)$', state: 'ready' },
  { event: 'UserPromptSubmit', state: 'busy' },
  { event: 'PreToolUse', state: 'busy' },
  { event: 'PostToolUse', state: 'busy' },
  { event: 'PostToolUseFailure', state: 'busy' },
  // No event says a permission prompt was answered: the screen decides while it is up.
  { event: 'PermissionRequest', state: 'unset' },
  { event: 'Notification', matcher: 'permission_prompt', state: 'unset' },
  { event: 'Notification', matcher: 'elicitation_dialog', state: 'waiting' },
  { event: 'Notification', matcher: 'idle_prompt', state: 'ready-unless-error' },
  // Qwen Code fires Stop after StopFailure too: an error stays until the next prompt.
  { event: 'Stop', state: 'ready-unless-error' },
  { event: 'StopFailure', state: 'error' },
  { event: 'SessionEnd', matcher: '^(prompt_input_exit|logout|other)$', state: 'exited' },
];

const FORMAT: JsonHooksFormat = { specs: QWEN_SPECS };

export const qwenHooks: AgentHooks = {
  name: 'qwen',
  label: 'Qwen Code',
  configPath: ({ env, home }: HookEnv) => `${env.QWEN_HOME || `${home}/.qwen`}/settings.json`,
  reports: 'ready, busy, waiting (questions), error (API errors), exited; a permission prompt hands over to the screen',
  status: (text, path) => jsonStatus(parseSettings(text, path), FORMAT),
  install: (text, path) => jsonInstall(text, path, FORMAT),
  uninstall: (text, path) => jsonUninstall(text, path),
};

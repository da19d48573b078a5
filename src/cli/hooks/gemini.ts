/**
 * Gemini CLI (0.61): hooks in `settings.json` under `$GEMINI_CLI_HOME/.gemini` (default
 * `~/.gemini`). Events: SessionStart, BeforeAgent (a prompt was submitted), BeforeTool,
 * AfterTool, Notification (only `ToolPermission`: a permission prompt), AfterAgent (the turn
 * ended), SessionEnd. There is no event for a turn that ended on an API error, so its hooks
 * cannot report `error`. Hooks run only while `hooksConfig.enabled` is not false; the entries
 * carry the name "tmux-monitor" (what `/hooks` lists and `hooksConfig.disabled` takes).
 */
import type { AgentHooks, HookEnv } from './agent.ts';
import { jsonInstall, jsonStatus, jsonUninstall, parseSettings, type HookSpec, type JsonHooksFormat } from './shared.ts';

export const GEMINI_SPECS: HookSpec[] = [
  { event: 'SessionStart', state: 'ready' },
  { event: 'BeforeAgent', state: 'busy' },
  { event: 'BeforeTool', state: 'busy' },
  { event: 'AfterTool', state: 'busy' },
  // ToolPermission: no event says the prompt was answered, so the screen decides while it is up.
  { event: 'Notification', state: 'unset' },
  { event: 'AfterAgent', state: 'ready' },
  { event: 'SessionEnd', matcher: 'exit', state: 'exited' },
  { event: 'SessionEnd', matcher: 'prompt_input_exit', state: 'exited' },
  { event: 'SessionEnd', matcher: 'logout', state: 'exited' },
  { event: 'SessionEnd', matcher: 'other', state: 'exited' },
];

const FORMAT: JsonHooksFormat = { specs: GEMINI_SPECS, extra: { name: 'tmux-monitor', timeout: 5000 } };

export const geminiHooks: AgentHooks = {
  name: 'gemini',
  label: 'Gemini CLI',
  configPath: ({ env, home }: HookEnv) => `${env.GEMINI_CLI_HOME || home}/.gemini/settings.json`,
  reports: 'ready, busy, exited; a permission prompt hands over to the screen; not error (no event for a failed turn)',
  status: (text, path) => jsonStatus(parseSettings(text, path), FORMAT),
  install: (text, path) => jsonInstall(text, path, FORMAT),
  uninstall: (text, path) => jsonUninstall(text, path),
};

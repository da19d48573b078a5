/**
 * Gemini CLI (0.61): hooks in `settings.json` under `$GEMINI_CLI_HOME/.gemini` (default
 * `~/.gemini`). Events: SessionStart, BeforeAgent (a prompt was submitted), BeforeTool,
 * AfterTool, Notification (only `ToolPermission`: a permission prompt), AfterAgent (the turn
 * ended), SessionEnd. AfterAgent fires for a turn that ended on an API error too (seen with the
 * real 0.61.0), and no event says a permission prompt was answered: both hand the status back
 * to the screen (the option is unset), so the hooks report busy, ready at start, and exited.
 * Hooks run only while `hooksConfig.enabled` is not false; the entries
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
  // AfterAgent also fires after a turn that failed on an API error: the screen tells ready from error.
  { event: 'AfterAgent', state: 'unset' },
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
  reports:
    'busy, ready (at start), exited; the end of a turn and a permission prompt hand over to the screen ' +
    '(no event tells error from ready)',
  status: (text, path) => jsonStatus(parseSettings(text, path), FORMAT),
  install: (text, path) => jsonInstall(text, path, FORMAT),
  uninstall: (text, path) => jsonUninstall(text, path),
};

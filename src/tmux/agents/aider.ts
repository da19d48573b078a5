/**
 * aider (a line-based prompt_toolkit REPL). The process shows as `aider` or `python3`.
 * Old prompts stay in scrollback, so prompts only count on the last non-empty line.
 *
 * | status  | what the screen shows |
 * |---------|------------------------|
 * | busy    | the spinner `Waiting for <model>` / `░█` scanner, "Updating repo map" |
 * | waiting | last line a question `… (Y)es/(N)o [Yes]: ` (Add file to the chat?, Run shell command?, Create new file?, Attempt to fix lint errors?) |
 * | error   | `litellm.AuthenticationError`, `litellm.APIConnectionError`, "The API provider is not able to authenticate you", "Missing these environment variables" |
 * | ready   | last line the input prompt `> ` (or `ask> `, `architect> `, `multi> `) |
 */
import type { AgentProfile } from './types.ts';

export const aider: AgentProfile = {
  type: 'aider',
  commands: /^aider(-chat)?$/i,
  signatures: [
    /^Aider v\d+\.\d+/m,
    /^Main model: /m,
    /^Weak model: /m,
    /^Repo-map: /m,
    /\(Y\)es\/\(N\)o/,
    /^Tokens: .+ sent, .+ received/m,
    /Use \/help <question> for help/,
    /litellm\.\w+/,
  ],
  waiting: [{ re: /\(Y\)es\/\(N\)o.*\[[^\]]*\]:\s*$/, reason: 'confirmation prompt', last: 1 }],
  busy: [
    { re: /Waiting for \S+/, reason: 'waiting for the model', last: 3, generic: true },
    { re: /[░█]{2,}/, reason: 'spinner', last: 3, generic: true },
    { re: /Updating repo map|Scanning repo/, reason: 'scanning repo', last: 3 },
  ],
  error: [
    { re: /litellm\.\w*(Error|Exception)/, reason: 'API error' },
    { re: /The API provider is not able to authenticate you/, reason: 'authentication failed' },
    { re: /Missing these environment variables/, reason: 'missing API key' },
  ],
  ready: [{ re: /^[\w-]*>(\s.*)?$/, reason: 'prompt', last: 1, generic: true }],
};

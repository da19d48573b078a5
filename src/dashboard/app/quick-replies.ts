/**
 * Quick replies: when an agent shows a choice on its screen (numbered options, yes/no), the
 * answers as buttons, each with the keys that agent takes:
 *
 * - numbered menus (Claude Code, Codex, Gemini CLI, Qwen): the option's shortcut when the
 *   screen shows one (`Yes, proceed (y)` in Codex), else its number — one key, no Enter,
 *   since these TUIs act on the key itself (an Enter after it would answer the next prompt);
 * - yes/no questions on a line (`(y/n)`, `[Y/n]`, aider's `(Y)es/(N)o`): `y` or `n`, then
 *   Enter, since line-based prompts only read a finished line.
 */

export interface QuickReply {
  /** What the button says. */
  label: string;
  /** What to type. */
  text: string;
  /** Press Enter after it. */
  enter: boolean;
}

/** Agents whose menus take a single key (no Enter). */
const KEY_MENUS = new Set(['claude', 'codex', 'gemini', 'qwen', 'opencode', 'cursor', 'copilot']);

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;:?]*[A-Za-z]/g;
const OPTION = /^[\s│┃║|]*(?:[❯›>▶●○◉◯•▌]\s*)?(\d{1,2})[.)]\s+(.+?)[\s│┃║|]*$/u;

/** The choices on the last screenful of `screen` for an agent of `agentType`. */
export function quickReplies(screen: string, agentType: string): QuickReply[] {
  const lines = screen.replace(SGR, '').split('\n').slice(-40);
  const menu = numberedMenu(lines);
  const keyMenu = KEY_MENUS.has(agentType);
  if (menu.length >= 2) {
    return menu.map(({ number, label }) => {
      const shortcut = /\(([a-z]|esc)\)\s*$/i.exec(label)?.[1];
      const clean = label.replace(/\s*\((?:[a-z]|esc)\)\s*$/i, '').trim();
      // Codex names each option's key: a letter, or Esc (sent as the ESC character).
      const key = shortcut === undefined ? undefined : shortcut.toLowerCase() === 'esc' ? '\x1b' : shortcut.toLowerCase();
      if (keyMenu) return { label: `${number}. ${clean}`, text: agentType === 'codex' && key ? key : String(number), enter: false };
      return { label: `${number}. ${clean}`, text: String(number), enter: true };
    });
  }
  const tail = lines
    .filter((l) => l.trim() !== '')
    .slice(-3)
    .join('\n');
  if (/\(y\/n\)|\[y\/n\]|\(yes\/no\)|\(Y\)es\/\(N\)o/i.test(tail)) {
    return [
      { label: 'Yes', text: 'y', enter: true },
      { label: 'No', text: 'n', enter: true },
    ];
  }
  return [];
}

/** The last run of options numbered 1, 2, 3, … on the screen. */
function numberedMenu(lines: readonly string[]): { number: number; label: string }[] {
  let best: { number: number; label: string }[] = [];
  let current: { number: number; label: string }[] = [];
  for (const line of lines) {
    const m = OPTION.exec(line);
    if (m && Number(m[1]) === current.length + 1) {
      current.push({ number: Number(m[1]), label: m[2]!.trim() });
      continue;
    }
    if (m && Number(m[1]) === 1) {
      current = [{ number: 1, label: m[2]!.trim() }];
      continue;
    }
    // Wrapped option text and blank lines inside a menu do not end it.
    if (current.length > 0 && (line.trim() === '' || /^\s{3,}\S/.test(line))) continue;
    if (current.length >= 2) best = current;
    current = [];
  }
  if (current.length >= 2) best = current;
  return best.slice(0, 9);
}

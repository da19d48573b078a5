/**
 * Plain shells and everything that is not a known agent. A shell in the foreground is
 * `ready`; another program in the foreground means the shell is `busy` running it; a
 * question on the last line (`(y/n)`, `Password:`) is `waiting`.
 */
import type { ScreenPattern } from './types.ts';

export const SHELLS = /^-?(bash|zsh|sh|dash|fish|ksh|mksh|tcsh|csh|ash|nu|xonsh|elvish|pwsh|powershell)$/i;

/** A shell prompt at the end of the screen (`user@host:~$ `, `# `, `% `, `❯`). */
export const SHELL_PROMPT = /([$#%❯]|\$\s?\(\w+\))\s*$/;

export const GENERIC_WAITING: ScreenPattern[] = [
  { re: /[([](y\/n|Y\/n|y\/N|yes\/no)[)\]]\s*[?:]?\s*$/i, reason: 'yes/no question', last: 1 },
  { re: /\b[Pp]assword( for [^:]+)?:\s*$/, reason: 'password prompt', last: 1 },
  { re: /Press (any key|ENTER|Enter|RETURN|Return) to continue/, reason: 'press a key', last: 2 },
  { re: /\bAre you sure\b.*\?\s*$/i, reason: 'confirmation', last: 1 },
];

/**
 * Quoting for tmux's command parser, so that any text can be passed as one argument on a
 * single control-mode line. Double quotes with backslash escapes: `$` (environment
 * expansion), `"` and `\` are escaped; newlines and other control characters become
 * escapes, since a raw newline would end the command line.
 */
export function quoteArg(arg: string): string {
  if (/^[A-Za-z0-9_%@:./=,+-]+$/.test(arg) && !arg.startsWith('-')) return arg;
  let out = '"';
  for (const ch of arg) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\' || ch === '$') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\' + code.toString(8).padStart(3, '0');
    else out += ch;
  }
  return out + '"';
}

/** A command line from a command name and its arguments. */
export function commandLine(args: readonly string[]): string {
  return args.map((a, i) => (i === 0 ? a : quoteArg(a))).join(' ');
}

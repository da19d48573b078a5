/**
 * Typing text into a pane exactly. `send-keys -l` takes text as one argument, and an
 * argument is a C string inside tmux: a NUL would end it there (and the rest of the text
 * would be lost without an error). Control bytes (C0 and DEL, NUL among them) therefore go
 * as hex with `send-keys -H`, which tmux writes to the pane as raw bytes; everything else
 * goes literally with `-l`. The runs are sent in order, so the pane gets the exact bytes.
 */
const CONTROL = /[\x00-\x1f\x7f]+/g;
/** Hex keys per `send-keys -H` command: keeps each control-mode line short. */
const HEX_PER_COMMAND = 256;

/** The `send-keys` arguments (after `-t pane`) that type `text`, in order. */
export function typeTextArgs(text: string): string[][] {
  const commands: string[][] = [];
  let at = 0;
  for (const match of text.matchAll(CONTROL)) {
    if (match.index > at) commands.push(['-l', '--', text.slice(at, match.index)]);
    const hex = [...match[0]].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, '0'));
    for (let i = 0; i < hex.length; i += HEX_PER_COMMAND) commands.push(['-H', ...hex.slice(i, i + HEX_PER_COMMAND)]);
    at = match.index + match[0].length;
  }
  if (at < text.length) commands.push(['-l', '--', text.slice(at)]);
  return commands;
}

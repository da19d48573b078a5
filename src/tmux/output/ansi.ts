/**
 * Removes terminal control sequences from pane output, as a state machine so that a
 * sequence split across two `%output` lines is still removed whole. Keeps text, `\n` and
 * `\t`; `\r\n` becomes `\n`; other C0/C1 controls are dropped. A cursor move to another
 * row (`CSI row;col H`, `CSI row d`, `CSI n E`) becomes a line break, so that full-screen
 * programs that draw by positioning (ratatui, curses) still give readable lines.
 */
enum S {
  Text,
  Esc, // after ESC
  EscIntermediate, // ESC followed by 0x20-0x2f (e.g. "ESC ( B")
  Csi, // ESC [ or 0x9b
  Str, // OSC / DCS / SOS / PM / APC body, until BEL or ST
  StrEsc, // ESC seen inside a string (maybe ST = ESC \)
}

export class AnsiStripper {
  private state = S.Text;
  /** The last character written out: a row move adds `\n` only after text. */
  private last = '\n';

  /** Strip one chunk; call in order for one stream. */
  push(input: string): string {
    let out = '';
    let runStart = -1;
    const flushRun = (i: number): void => {
      if (runStart >= 0) {
        out += input.slice(runStart, i);
        runStart = -1;
      }
    };
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      switch (this.state) {
        case S.Text:
          if (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0)) {
            if (runStart < 0) runStart = i;
            continue;
          }
          flushRun(i);
          if (c === 0x0a) out += '\n';
          else if (c === 0x09) out += '\t';
          else if (c === 0x1b) this.state = S.Esc;
          else if (c === 0x9b) this.state = S.Csi;
          else if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) this.state = S.Str;
          // \r and other controls are dropped (\r\n is then \n).
          continue;
        case S.Esc:
          if (c === 0x5b)
            this.state = S.Csi; // [
          else if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f)
            this.state = S.Str; // ] P X ^ _
          else if (c >= 0x20 && c <= 0x2f) this.state = S.EscIntermediate;
          else this.state = S.Text; // two-byte sequence (ESC 7, ESC =, ESC M, ...)
          continue;
        case S.EscIntermediate:
          if (c >= 0x30 && c <= 0x7e) this.state = S.Text;
          continue;
        case S.Csi:
          // parameters and intermediates are 0x20-0x3f; the final byte is 0x40-0x7e
          if (c >= 0x40 && c <= 0x7e) {
            this.state = S.Text;
            // H/f: cursor position, d: line position, E: next line.
            if (c === 0x48 || c === 0x66 || c === 0x64 || c === 0x45) {
              const lastChar = out.length > 0 ? out[out.length - 1]! : this.last;
              if (lastChar !== '\n') out += '\n';
            }
          } else if (c === 0x1b) this.state = S.Esc;
          else if (c < 0x20 || c > 0x7e) this.state = S.Text; // malformed: give up on it
          continue;
        case S.Str:
          if (c === 0x07 || c === 0x9c) this.state = S.Text;
          else if (c === 0x1b) this.state = S.StrEsc;
          continue;
        case S.StrEsc:
          this.state = c === 0x5c ? S.Text : S.Str;
          continue;
      }
    }
    flushRun(input.length);
    if (out.length > 0) this.last = out[out.length - 1]!;
    return out;
  }
}

/** One-shot strip of a complete string. */
export function stripAnsi(text: string): string {
  return new AnsiStripper().push(text);
}

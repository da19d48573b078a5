/**
 * Reading output the way a person skims a log: which lines look like errors or warnings,
 * and a short preview of the latest lines.
 */
import type { Severity } from '../../protocol/events.ts';

const ERROR_RE =
  /(?:^|[^\w-])(?:error|errors|fatal|panic|exception|traceback \(most recent call last\)|failed|failure|segmentation fault|command not found|no such file or directory|permission denied|cannot|can't|unable to)(?=$|[^\w-])/i;
const WARNING_RE = /(?:^|[^\w-])(?:warning|warnings|warn|deprecated|deprecation)(?=$|[^\w-])/i;
/** Lines that mention errors without reporting one ("0 errors", "no errors found"). */
const NOT_ERROR_RE = /\b(?:0|no|zero|without) (?:errors?|failures?|warnings?)\b|\berrors?: 0\b|\bfailed: 0\b|\b0 failed\b/i;

export function lineSeverity(line: string): Severity {
  if (NOT_ERROR_RE.test(line)) return 'info';
  if (ERROR_RE.test(line)) return 'error';
  if (WARNING_RE.test(line)) return 'warning';
  return 'info';
}

export const PREVIEW_LINES = 3;
export const PREVIEW_CHARS = 200;

/** The last ≤3 non-empty lines, at most 200 characters (the end is kept). */
export function preview(text: string): string {
  const lines: string[] = [];
  let end = text.length;
  while (lines.length < PREVIEW_LINES && end > 0) {
    const nl = text.lastIndexOf('\n', end - 1);
    const line = text.slice(nl + 1, end).trimEnd();
    if (line.trim() !== '') lines.unshift(line);
    end = nl < 0 ? 0 : nl;
  }
  const joined = lines.join('\n');
  return joined.length <= PREVIEW_CHARS ? joined : joined.slice(joined.length - PREVIEW_CHARS);
}

export interface Classified {
  severity: Severity;
  /** Lines that read as errors or warnings (at most `limit`). */
  flagged: { severity: 'error' | 'warning'; line: string }[];
}

const MAX_LINE = 1000;

export function classify(text: string, limit = 10): Classified {
  let severity: Severity = 'info';
  const flagged: Classified['flagged'] = [];
  // Cheap prefilter: most output has no candidate word at all.
  if (!/err|fatal|panic|exception|traceback|fail|fault|not found|no such|denied|cannot|can't|unable|warn|deprecat/i.test(text)) {
    return { severity, flagged };
  }
  for (const raw of text.split('\n')) {
    const s = lineSeverity(raw);
    if (s === 'info') continue;
    if (s === 'error') severity = 'error';
    else if (severity === 'info') severity = 'warning';
    if (flagged.length < limit) {
      const line = raw.trim();
      flagged.push({ severity: s, line: line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line });
    }
  }
  return { severity, flagged };
}

/** The end of a prompt a program prints and then waits at: `$ `, `# `, `% `, `> `, `❯ `, `>>> `. */
const PROMPT_END = /[$#%>❯»]\s?$/;

/**
 * Classifies a pane's output one whole line at a time, and leaves out the lines a person
 * typed. A program that waits for input prints a prompt and leaves the line open; what
 * completes that line is the terminal's echo of the typed command (`$ echo "error: x"`),
 * not something the program printed. A line is looked at once, when it is complete, so a
 * line that arrives in pieces (keystroke echoes) is not flagged once per piece.
 */
export class LineClassifier {
  /** The open line (no newline yet), at most MAX_LINE characters. */
  private partial = '';
  /** The open line started as a prompt: it is being typed. */
  private typed = false;

  take(content: string, limit = 10): Classified {
    const nl = content.lastIndexOf('\n');
    if (nl < 0) {
      this.partial = (this.partial + content).slice(-MAX_LINE);
      this.typed ||= PROMPT_END.test(this.partial);
      return { severity: 'info', flagged: [] };
    }
    const skipFirst = this.typed || PROMPT_END.test(this.partial);
    // The first complete line is the open line plus the start of this content.
    const head = this.partial + content.slice(0, content.indexOf('\n') + 1);
    const rest = content.slice(head.length - this.partial.length, nl + 1);
    this.partial = content.slice(nl + 1).slice(-MAX_LINE);
    this.typed = PROMPT_END.test(this.partial);
    const first = skipFirst ? { severity: 'info' as Severity, flagged: [] } : classify(head, limit);
    const others = classify(rest, limit - first.flagged.length);
    const severity: Severity =
      first.severity === 'error' || others.severity === 'error'
        ? 'error'
        : first.severity === 'warning' || others.severity === 'warning'
          ? 'warning'
          : 'info';
    return { severity, flagged: [...first.flagged, ...others.flagged] };
  }
}

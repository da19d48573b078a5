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

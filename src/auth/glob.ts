/**
 * Glob patterns where `*` matches any run of characters (and nothing else is special),
 * matched in time linear in the pattern and the text: no regular expression, no
 * backtracking. A pattern is split at its stars; the first piece must start the text,
 * the last must end it, and each piece between is found left-most after the previous
 * one (left-most is always right for `*`-only globs) with a KMP search.
 */
export type GlobMatcher = (text: string) => boolean;

/** Counts character comparisons, so tests can assert on work done rather than time. */
export interface GlobSteps {
  steps: number;
}

export function compileGlob(pattern: string, steps?: GlobSteps): GlobMatcher {
  const pieces = pattern.split('*');
  if (pieces.length === 1) {
    return (text) => {
      if (steps) steps.steps += Math.min(text.length, pattern.length) + 1;
      return text === pattern;
    };
  }
  const head = pieces[0]!;
  const tail = pieces[pieces.length - 1]!;
  const middle = pieces
    .slice(1, -1)
    .filter((p) => p !== '')
    .map((p) => ({ piece: p, table: failureTable(p) }));
  const fixed = head.length + tail.length + middle.reduce((n, m) => n + m.piece.length, 0);
  return (text) => {
    if (text.length < fixed) return false;
    if (!text.startsWith(head) || !text.endsWith(tail)) return false;
    if (steps) steps.steps += head.length + tail.length;
    let from = head.length;
    const end = text.length - tail.length;
    for (const { piece, table } of middle) {
      const at = kmpIndexOf(text, piece, table, from, end, steps);
      if (at < 0) return false;
      from = at + piece.length;
    }
    return true;
  };
}

/** KMP failure function: for each prefix of `piece`, the length of its longest proper border. */
function failureTable(piece: string): Int32Array {
  const table = new Int32Array(piece.length);
  let k = 0;
  for (let i = 1; i < piece.length; i++) {
    while (k > 0 && piece[i] !== piece[k]) k = table[k - 1]!;
    if (piece[i] === piece[k]) k++;
    table[i] = k;
  }
  return table;
}

/** First index ≥ `from` where `piece` occurs wholly before `end`, or -1. At most 2·(end − from) comparisons. */
function kmpIndexOf(text: string, piece: string, table: Int32Array, from: number, end: number, steps?: GlobSteps): number {
  let k = 0;
  for (let i = from; i < end; i++) {
    while (k > 0 && text[i] !== piece[k]) {
      k = table[k - 1]!;
      if (steps) steps.steps++;
    }
    if (steps) steps.steps++;
    if (text[i] === piece[k]) k++;
    if (k === piece.length) return i - piece.length + 1;
  }
  return -1;
}

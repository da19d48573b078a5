import { describe, expect, it } from 'vitest';
import { compileGlob, type GlobSteps } from '../../src/auth/glob.ts';
import { compileScope } from '../../src/auth/scope.ts';

/** A reference matcher by dynamic programming: slow but obviously right. */
function reference(pattern: string, text: string): boolean {
  let row = new Array<boolean>(text.length + 1).fill(false);
  row[0] = true;
  for (const ch of pattern) {
    const next = new Array<boolean>(text.length + 1).fill(false);
    if (ch === '*') {
      let any = false;
      for (let j = 0; j <= text.length; j++) next[j] = any ||= row[j]!;
    } else {
      for (let j = 1; j <= text.length; j++) next[j] = row[j - 1]! && text[j - 1] === ch;
    }
    row = next;
  }
  return row[text.length]!;
}

describe('compileGlob', () => {
  it('agrees with a reference matcher', () => {
    const patterns = ['', '*', 'a', 'a*', '*a', 'a*b', '*a*', 'a*a*a', '**', 'ab*ba', '*aa*aa*', 'proj-*', '*-*-*x', '$*'];
    const texts = ['', 'a', 'b', 'ab', 'aa', 'aba', 'abba', 'aaaa', 'aaaaa', 'proj-1', 'proj', 'x-y-zx', '--x', '$1', 'ba'];
    for (const pattern of patterns) {
      const match = compileGlob(pattern);
      for (const text of texts) expect(match(text), `${pattern} ~ ${text}`).toBe(reference(pattern, text));
    }
  });

  it('matches a pathological pattern against a 200-character name in linear steps', () => {
    // With a backtracking regex (^.*-.*-.*-.*x$) this is the classic catastrophic case.
    const name = '-'.repeat(200);
    for (const pattern of ['*-*-*-*x', '*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*x', '*' + '-*'.repeat(100) + 'x']) {
      const steps: GlobSteps = { steps: 0 };
      expect(compileGlob(pattern, steps)(name)).toBe(false);
      // KMP: at most two comparisons per character of the name, plus the fixed head and tail.
      expect(steps.steps).toBeLessThanOrEqual(2 * name.length + pattern.length);
    }
    const steps: GlobSteps = { steps: 0 };
    const long = 'ab'.repeat(100) + 'x';
    expect(compileGlob('*a*b*a*b*abx', steps)(long)).toBe(true);
    expect(steps.steps).toBeLessThanOrEqual(2 * long.length + 12);
  });

  it('keeps a token scope fast on a huge hostile name', () => {
    const inScope = compileScope(['*a*a*a*a*a*a*a*a*a*a*b'])!;
    // A backtracking matcher would need about n^10 steps here; this returns at once.
    expect(inScope('a'.repeat(100_000))).toBe(false);
  });
});

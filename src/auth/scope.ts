/**
 * Session scoping: a token's `sessions` claim lists session-name patterns where `*`
 * matches any run of characters. A scoped token sees and acts on nothing else.
 */
export type SessionScope = (sessionName: string) => boolean;

export function compileScope(patterns: readonly string[] | null): SessionScope | null {
  if (patterns === null) return null;
  const regexes = patterns.map(patternToRegExp);
  return (name) => regexes.some((re) => re.test(name));
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp('^' + escaped.join('.*') + '$');
}

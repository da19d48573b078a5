/**
 * Session scoping: a token's `sessions` claim lists session patterns where `*` matches
 * any run of characters. A pattern that starts with `$` names session ids (`$2`, `$1*`);
 * any other names session names. A session is in scope when one pattern matches it —
 * decided on the session a target resolves to, never on the string a client sent, so a
 * name-scoped token cannot reach a session by its id (`*2` does not reach `$2`).
 * Patterns match in linear time (./glob.ts): a hostile pattern cannot stall the server.
 */
import { compileGlob, type GlobMatcher } from './glob.ts';

/** Is this session (by name, and by id when known) in scope? */
export type SessionScope = (sessionName: string, sessionId?: string) => boolean;

export function compileScope(patterns: readonly string[] | null): SessionScope | null {
  if (patterns === null) return null;
  const names: GlobMatcher[] = [];
  const ids: GlobMatcher[] = [];
  for (const pattern of patterns) (pattern.startsWith('$') ? ids : names).push(compileGlob(pattern));
  return (name, id) => names.some((match) => match(name)) || (typeof id === 'string' && ids.some((match) => match(id)));
}

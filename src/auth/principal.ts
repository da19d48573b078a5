import type { Permission, Role } from '../protocol/messages.ts';
import { ALL_PERMISSIONS } from './roles.ts';
import { compileScope, type SessionScope } from './scope.ts';

/** Who is on the other end of a connection, and what they may do. */
export interface Principal {
  subject: string;
  role: Role;
  permissions: ReadonlySet<Permission>;
  /** Session patterns (names, or ids when they start with `$`), or null for every session. */
  sessions: readonly string[] | null;
  /** Compiled from `sessions`; null when unscoped. */
  inScope: SessionScope | null;
  /** Milliseconds since the epoch, or null when the token does not expire. */
  expiresAt: number | null;
}

export function makePrincipal(fields: Omit<Principal, 'inScope'>): Principal {
  return { ...fields, inScope: compileScope(fields.sessions) };
}

/** The principal of every connection when the server runs with auth turned off. */
export const ANONYMOUS_ADMIN: Principal = makePrincipal({
  subject: 'anonymous',
  role: 'admin',
  permissions: new Set(ALL_PERMISSIONS),
  sessions: null,
  expiresAt: null,
});

/** No session (a system event) is visible to all; a session by its name, and its id when known. */
export function canSeeSession(principal: Principal, session: string | undefined, sessionId?: string): boolean {
  return session === undefined || principal.inScope === null || principal.inScope(session, sessionId);
}

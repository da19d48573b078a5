import type { Permission, Role } from '../protocol/messages.ts';
import { ALL_PERMISSIONS } from './roles.ts';
import { compileScope, type SessionScope } from './scope.ts';

/** Who is on the other end of a connection, and what they may do. */
export interface Principal {
  subject: string;
  role: Role;
  permissions: ReadonlySet<Permission>;
  /** Session-name patterns, or null for every session. */
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

export function canSeeSession(principal: Principal, session: string | undefined): boolean {
  return session === undefined || principal.inScope === null || principal.inScope(session);
}

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
  /** Host-name patterns (the `hosts` claim), or null for every host. Optional: v1.0 principals have none. */
  hosts?: readonly string[] | null;
  /** Compiled from `hosts`; null when unscoped. */
  inHosts?: SessionScope | null;
  /** Milliseconds since the epoch, or null when the token does not expire. */
  expiresAt: number | null;
}

export function makePrincipal(fields: Omit<Principal, 'inScope' | 'inHosts'>): Principal {
  return { ...fields, inScope: compileScope(fields.sessions), inHosts: compileScope(fields.hosts ?? null) };
}

/** The principal of every connection when the server runs with auth turned off. */
export const ANONYMOUS_ADMIN: Principal = makePrincipal({
  subject: 'anonymous',
  role: 'admin',
  permissions: new Set(ALL_PERMISSIONS),
  sessions: null,
  expiresAt: null,
});

/**
 * In scope: the host (when given) is one of the token's hosts, and the session one of its
 * sessions — by its name, and its id when known. No session (a system event) is visible to all.
 */
export function canSeeSession(principal: Principal, session: string | undefined, host?: string, sessionId?: string): boolean {
  if (!canSeeHost(principal, host)) return false;
  return session === undefined || principal.inScope === null || principal.inScope(session, sessionId);
}

/** A token with a `hosts` claim sees nothing of other hosts (nor their system events). */
export function canSeeHost(principal: Principal, host: string | undefined): boolean {
  return host === undefined || principal.inHosts == null || principal.inHosts(host);
}

import type { Permission, Role } from '../protocol/messages.ts';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** What each role may do (docs/protocol.md, "Tokens and permissions"). */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['read', 'subscribe', 'snapshot', 'output'],
  operator: ['read', 'subscribe', 'snapshot', 'output', 'write'],
  admin: ['read', 'subscribe', 'snapshot', 'output', 'write', 'admin'],
};

export const ALL_PERMISSIONS: readonly Permission[] = ROLE_PERMISSIONS.admin;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (ALL_PERMISSIONS as readonly string[]).includes(value);
}

/**
 * The first implementation's tokens say `read`, `write` and `admin` only, where `read`
 * meant everything a viewer does. A `permissions` list that names none of our finer
 * permissions (`subscribe`, `snapshot`, `output`) is read in those words.
 */
const FINER: ReadonlySet<Permission> = new Set(['subscribe', 'snapshot', 'output']);
const FIRST_IMPLEMENTATION_WORDS: Readonly<Record<string, readonly Permission[]>> = {
  read: ROLE_PERMISSIONS.viewer,
  write: ['write'],
  admin: ['admin'],
};

export function expandPermissions(listed: readonly Permission[]): Permission[] {
  if (listed.some((p) => FINER.has(p))) return [...listed];
  return [...new Set(listed.flatMap((p) => FIRST_IMPLEMENTATION_WORDS[p] ?? [p]))];
}

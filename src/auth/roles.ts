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

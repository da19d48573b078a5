import { SignJWT } from 'jose';
import type { Permission, Role } from '../protocol/messages.ts';

export interface TokenClaims {
  sub: string;
  role: Role;
  /** Lifetime in seconds; null for a token that never expires. */
  ttlSec: number | null;
  sessions?: string[];
  /** Host-name patterns (with `*`) the token is limited to. */
  hosts?: string[];
  permissions?: Permission[];
  issuer?: string;
  audience?: string;
}

/** Signs an HS256 token with the server's secret (the `token` command and tests). */
export async function signToken(secret: Uint8Array | string, claims: TokenClaims): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const jwt = new SignJWT({
    role: claims.role,
    ...(claims.sessions ? { sessions: claims.sessions } : {}),
    ...(claims.hosts ? { hosts: claims.hosts } : {}),
    ...(claims.permissions ? { permissions: claims.permissions } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt();
  if (claims.ttlSec !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSec);
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(key);
}

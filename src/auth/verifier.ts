/**
 * Token verification with jose. HS256 tokens are checked against the server's secret;
 * RS256/ES256/EdDSA tokens against a JWKS URL when one is configured. The key is picked
 * by the configuration, never by the token, so an HS256 token "signed" with a public key
 * (algorithm confusion) and `alg: none` are refused.
 */
import * as jose from 'jose';
import type { Permission } from '../protocol/messages.ts';
import { MonitorError } from '../protocol/errors.ts';
import { makePrincipal, type Principal } from './principal.ts';
import { expandPermissions, isPermission, isRole, ROLE_PERMISSIONS } from './roles.ts';

export interface VerifierOptions {
  /** Shared secret for HS256. */
  secret?: Uint8Array | string;
  /** JWKS URL for RS256/ES256/EdDSA. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Accept tokens without `exp` (default false: `exp` is required). */
  allowNoExpiry?: boolean;
  /** Clock skew tolerated, in seconds (default 5). */
  clockToleranceSec?: number;
}

/** A token's principal, or why not (a rejected MonitorError). A token verified before answers at once. */
export type TokenVerifier = (token: string) => Principal | Promise<Principal>;

const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
/** Verified HS256 tokens remembered (oldest forgotten first). */
const VERIFIED_MAX = 1024;
/** How long a verified token without `exp` (allowNoExpiry) is remembered. */
const NO_EXPIRY_CACHE_MS = 60_000;

export function createVerifier(options: VerifierOptions): TokenVerifier {
  const secret = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  const jwks = options.jwksUrl ? jose.createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  if (!secret && !jwks) throw new Error('token verification needs a secret or a JWKS URL');

  const common: jose.JWTVerifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSec ?? 5,
    requiredClaims: options.allowNoExpiry ? [] : ['exp'],
  };

  // One CryptoKey for the server's life: given the raw secret, jose imports it again for
  // every token, and that import is most of what a connection costs the server.
  let hmacKey: Promise<CryptoKey | Uint8Array> | undefined;
  const secretKey = (raw: Uint8Array) =>
    (hmacKey ??= crypto.subtle
      .importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
      .catch(() => raw));

  // HS256 tokens already verified, by their exact text (signature included), with the
  // principal made of them, until they expire: a client that reconnects, or many
  // connections with one token, cost one HMAC and nothing else. (A principal is never
  // changed once made, so connections may share one.)
  const verified = new Map<string, { principal: Principal; until: number }>();
  const toleranceMs = (options.clockToleranceSec ?? 5) * 1000;

  return (token) => {
    const hit = verified.get(token);
    if (hit && Date.now() < hit.until) return hit.principal;
    return verify(token);
  };

  async function verify(token: string): Promise<Principal> {
    let payload: jose.JWTPayload;
    try {
      const { alg } = jose.decodeProtectedHeader(token);
      if (alg === 'HS256' && secret) {
        ({ payload } = await jose.jwtVerify(token, await secretKey(secret), { ...common, algorithms: ['HS256'] }));
        const principal = principalFromClaims(payload);
        if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
        const until = typeof payload.exp === 'number' ? payload.exp * 1000 + toleranceMs : Date.now() + NO_EXPIRY_CACHE_MS;
        verified.set(token, { principal, until });
        return principal;
      }
      if (alg !== undefined && ASYMMETRIC_ALGORITHMS.includes(alg) && jwks) {
        ({ payload } = await jose.jwtVerify(token, jwks, { ...common, algorithms: ASYMMETRIC_ALGORITHMS }));
      } else {
        throw new MonitorError('AUTH_FAILED', `token algorithm ${JSON.stringify(alg ?? null)} is not accepted`);
      }
    } catch (error) {
      throw toAuthError(error);
    }
    return principalFromClaims(payload);
  }
}

function toAuthError(error: unknown): MonitorError {
  if (error instanceof MonitorError) return error;
  if (error instanceof jose.errors.JWTExpired) return new MonitorError('TOKEN_EXPIRED', 'token has expired');
  if (error instanceof jose.errors.JWTClaimValidationFailed) {
    return new MonitorError('AUTH_FAILED', `token claim "${error.claim}" is invalid: ${error.reason}`);
  }
  if (error instanceof jose.errors.JOSEError) return new MonitorError('AUTH_FAILED', 'token is invalid');
  return new MonitorError('AUTH_FAILED', 'token could not be verified');
}

export function principalFromClaims(claims: jose.JWTPayload): Principal {
  const role = claims.role ?? 'viewer';
  if (!isRole(role)) throw new MonitorError('AUTH_FAILED', 'token claim "role" must be viewer, operator or admin');

  let permissions: Permission[] = [...ROLE_PERMISSIONS[role]];
  if (claims.permissions !== undefined) {
    if (!Array.isArray(claims.permissions) || !claims.permissions.every(isPermission)) {
      throw new MonitorError('AUTH_FAILED', 'token claim "permissions" must be a list of known permissions');
    }
    // `permissions` narrows the role; it never grants more than the role has.
    const narrowed = new Set<Permission>(expandPermissions(claims.permissions));
    permissions = permissions.filter((p) => narrowed.has(p));
  }

  let sessions: string[] | null = null;
  if (claims.sessions !== undefined && claims.sessions !== null) {
    const list = claims.sessions;
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
      throw new MonitorError('AUTH_FAILED', 'token claim "sessions" must be a list of session patterns');
    }
    sessions = list;
  }

  let hosts: string[] | null = null;
  if (claims.hosts !== undefined && claims.hosts !== null) {
    const list = claims.hosts;
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
      throw new MonitorError('AUTH_FAILED', 'token claim "hosts" must be a list of host patterns');
    }
    hosts = list;
  }

  return makePrincipal({
    subject: typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : 'unknown',
    role,
    permissions: new Set(permissions),
    sessions,
    hosts,
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
  });
}

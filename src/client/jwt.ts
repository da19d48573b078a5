/**
 * Reads a JWT's `exp` claim WITHOUT verifying the token: the client only needs to know
 * when to fetch a fresh one. The server is the one that verifies.
 * Returns the expiry in ms since the epoch, or null when absent or unreadable.
 */
export function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * How long to wait before re-authenticating with a fresh token: `marginMs` before expiry,
 * but never more than a quarter of the remaining lifetime early (so short-lived tokens are
 * still used for most of their life).
 */
export function refreshDelay(expiresAtMs: number, nowMs: number, marginMs: number): number {
  const remaining = expiresAtMs - nowMs;
  if (remaining <= 0) return 0;
  return Math.max(0, remaining - Math.min(marginMs, remaining / 4));
}

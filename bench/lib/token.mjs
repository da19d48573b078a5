/** HS256 JWTs for the bench's clients, signed with the server's secret (as `tmux-monitor token`). */
import { createHmac, randomBytes } from 'node:crypto';

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function newSecret() {
  return randomBytes(32).toString('hex');
}

export function signToken(secret, { sub = 'bench', role = 'admin', ttlSec = 3600 } = {}) {
  const iat = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ role, sub, iat, exp: iat + ttlSec })}`;
  const signature = createHmac('sha256', secret).update(head).digest('base64url');
  return `${head}.${signature}`;
}

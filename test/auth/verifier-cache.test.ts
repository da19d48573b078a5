/** The verifier remembers verified HS256 tokens by their exact text, and only until they expire. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVerifier } from '../../src/auth/verifier.ts';
import { signToken } from '../../src/auth/signer.ts';

const secret = 'cache-secret';

afterEach(() => vi.useRealTimers());

describe('verified-token memory', () => {
  it('accepts a token again, and refuses a forged variant of a token it has accepted', async () => {
    const verify = createVerifier({ secret });
    const token = await signToken(secret, { sub: 'a', role: 'viewer', ttlSec: 600 });
    expect((await verify(token)).subject).toBe('a');
    expect((await verify(token)).subject).toBe('a');
    const [header, payload, signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'a', role: 'admin', exp: Math.floor(Date.now() / 1000) + 600 })).toString(
      'base64url',
    );
    await expect(verify(`${header}.${forgedPayload}.${signature}`)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    const flipped = signature!.slice(0, -2) + (signature!.endsWith('AA') ? 'BB' : 'AA');
    await expect(verify(`${header}.${payload}.${flipped}`)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('forgets a remembered token once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verify = createVerifier({ secret, clockToleranceSec: 0 });
    const token = await signToken(secret, { sub: 'b', role: 'viewer', ttlSec: 60 });
    expect((await verify(token)).subject).toBe('b');
    vi.setSystemTime(Date.now() + 61_000);
    await expect(verify(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });
});

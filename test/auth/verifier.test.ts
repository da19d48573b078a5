import { describe, expect, it } from 'vitest';
import { principalFromClaims, createVerifier } from '../../src/auth/verifier.ts';
import { signToken } from '../../src/auth/signer.ts';
import { compileScope } from '../../src/auth/scope.ts';

describe('principalFromClaims', () => {
  it('gives each role its permissions and defaults to viewer', () => {
    expect([...principalFromClaims({ sub: 'a' }).permissions].sort()).toEqual(['output', 'read', 'snapshot', 'subscribe']);
    expect(principalFromClaims({ role: 'operator' }).permissions.has('write')).toBe(true);
    expect(principalFromClaims({ role: 'admin' }).permissions.has('admin')).toBe(true);
  });

  it('narrows with permissions and never widens', () => {
    const p = principalFromClaims({ role: 'viewer', permissions: ['read', 'subscribe', 'write'] });
    expect([...p.permissions]).toEqual(['read', 'subscribe']);
  });

  it("reads the first implementation's read/write permissions in its words", () => {
    const viewer = principalFromClaims({ role: 'operator', permissions: ['read'] });
    expect([...viewer.permissions].sort()).toEqual(['output', 'read', 'snapshot', 'subscribe']);
    const operator = principalFromClaims({ role: 'operator', permissions: ['read', 'write'] });
    expect([...operator.permissions].sort()).toEqual(['output', 'read', 'snapshot', 'subscribe', 'write']);
    // Still never more than the role: a viewer's `write` is dropped.
    expect(principalFromClaims({ role: 'viewer', permissions: ['read', 'write'] }).permissions.has('write')).toBe(false);
    // Our own finer words keep their narrow meaning.
    expect([...principalFromClaims({ role: 'viewer', permissions: ['read', 'output'] }).permissions].sort()).toEqual(['output', 'read']);
  });

  it('refuses bad roles, permissions and sessions', () => {
    expect(() => principalFromClaims({ role: 'root' })).toThrow(/role/);
    expect(() => principalFromClaims({ permissions: ['fly'] })).toThrow(/permissions/);
    expect(() => principalFromClaims({ sessions: 'a' })).toThrow(/sessions/);
  });
});

describe('session scope', () => {
  it('matches patterns with *', () => {
    const inScope = compileScope(['proj-*', 'exact', 'a*b'])!;
    expect(['proj-1', 'proj-', 'exact', 'ab', 'a-x-b'].every((n) => inScope(n))).toBe(true);
    expect(['proj', 'exactly', 'xproj-1', 'a.b.c'].some((n) => inScope(n))).toBe(false);
    expect(compileScope(null)).toBeNull();
  });

  it('escapes regex characters in names', () => {
    const inScope = compileScope(['a.b'])!;
    expect(inScope('a.b')).toBe(true);
    expect(inScope('axb')).toBe(false);
  });

  it('matches name patterns on names and $-patterns on ids only', () => {
    const byName = compileScope(['*2'])!;
    expect(byName('a2', '$7')).toBe(true);
    // `*2` matches the string "$2", but a name pattern never reaches a session by its id.
    expect(byName('b', '$2')).toBe(false);
    const byId = compileScope(['$2'])!;
    expect(byId('b', '$2')).toBe(true);
    expect(byId('$2', '$3')).toBe(false);
  });
});

describe('createVerifier', () => {
  it('round-trips tokens from signToken and refuses other secrets', async () => {
    const verify = createVerifier({ secret: 's1' });
    const token = await signToken('s1', { sub: 'me', role: 'operator', ttlSec: 60, sessions: ['x*'] });
    const principal = await verify(token);
    expect(principal).toMatchObject({ subject: 'me', role: 'operator', sessions: ['x*'] });
    await expect(createVerifier({ secret: 's2' })(token)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('requires exp unless told otherwise', async () => {
    const token = await signToken('s', { sub: 'me', role: 'viewer', ttlSec: null });
    await expect(createVerifier({ secret: 's' })(token)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect((await createVerifier({ secret: 's', allowNoExpiry: true })(token)).expiresAt).toBeNull();
  });

  it('needs a key source', () => {
    expect(() => createVerifier({})).toThrow();
  });
});

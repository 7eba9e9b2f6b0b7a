import { describe, expect, it } from 'vitest';

import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horsf', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('never matches an unknown user, a malformed or a too-costly stored value', async () => {
    expect(await verifyPassword('anything', undefined)).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
    expect(await verifyPassword('x', `scrypt$${2 ** 24}$8$1$AAAA$${'A'.repeat(43)}`)).toBe(false);
  });

  it('refuses passwords longer than the limit', async () => {
    await expect(hashPassword('a'.repeat(MAX_PASSWORD_LENGTH + 1))).rejects.toMatchObject({ code: 'D7Y_ERR_INVALID_ARGUMENT' });
    expect(await verifyPassword('a'.repeat(MAX_PASSWORD_LENGTH + 1), await hashPassword('a'))).toBe(false);
  });
});

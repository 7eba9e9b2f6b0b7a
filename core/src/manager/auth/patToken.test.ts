import { describe, expect, it } from 'vitest';

import { digestsEqual, generatePatToken, patDigest } from './patToken.js';

describe('personal access token values', () => {
  it('are prefixed, random, and stored as a keyed HMAC', () => {
    const a = generatePatToken();
    expect(a).toMatch(/^d7y_pat_[\w-]{43}$/);
    expect(generatePatToken()).not.toBe(a);
    expect(patDigest('key-1', a)).toMatch(/^[0-9a-f]{64}$/);
    expect(patDigest('key-1', a)).toBe(patDigest('key-1', a));
    expect(patDigest('key-2', a)).not.toBe(patDigest('key-1', a));
  });

  it('compare digests exactly, refusing different lengths', () => {
    const digest = patDigest('k', 't');
    expect(digestsEqual(digest, digest)).toBe(true);
    expect(digestsEqual(digest, patDigest('k', 'u'))).toBe(false);
    expect(digestsEqual(digest, digest.slice(1))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';

import { DOCUMENTED_JWT_KEYS } from '../../config/schema/manager.js';
import { MIN_JWT_KEY_BYTES, weakKeyProblem } from './jwtKey.js';

describe('weakKeyProblem', () => {
  it('names every key published in Dragonfly docs, with or without surrounding spaces', () => {
    for (const key of DOCUMENTED_JWT_KEYS) {
      expect(weakKeyProblem(key)).toContain('published');
      expect(weakKeyProblem(` ${key}\n`)).toContain('published');
    }
  });

  it('names keys shorter than 32 bytes and accepts longer random ones', () => {
    expect(weakKeyProblem('a'.repeat(MIN_JWT_KEY_BYTES - 1))).toContain('shorter than 32 bytes');
    expect(weakKeyProblem('é'.repeat(16))).toBeUndefined();
    expect(weakKeyProblem('3f9c2a7e1b6d4c8a9e0f1a2b3c4d5e6f')).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { assertDigest, createDigester, digestFile, digestOf, digestsEqual, parseDigest } from './digests.js';

describe('digests', () => {
  it('parses the three algorithms and rejects malformed values', () => {
    expect(parseDigest(`sha256:${'A'.repeat(64)}`)).toEqual({ algorithm: 'sha256', encoded: 'a'.repeat(64) });
    expect(parseDigest(`sha512:${'0'.repeat(128)}`).algorithm).toBe('sha512');
    expect(parseDigest('crc32:0012').encoded).toBe('12');
    for (const bad of ['sha256', 'md5:abc', `sha256:${'g'.repeat(64)}`, 'sha256:abc', 'crc32:4294967296', ':x']) {
      expect(() => parseDigest(bad)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
    }
  });

  it('computes crc32 (IEEE) like zlib, including the slice-by-8 path', () => {
    expect(digestOf('crc32', Buffer.from('123456789'))).toBe('crc32:3421780262'); // 0xCBF43926
    expect(digestOf('crc32', Buffer.alloc(0))).toBe('crc32:0');
    const big = Buffer.alloc(1000, 7);
    const d = createDigester('crc32');
    d.update(big.subarray(0, 333));
    d.update(big.subarray(333));
    expect(d.digest()).toBe(digestOf('crc32', big));
  });

  it('computes sha256 incrementally and of files', async () => {
    const data = Buffer.from('hello world');
    const expected = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    expect(digestOf('sha256', data)).toBe(expected);
    const dir = mkdtempSync(join(tmpdir(), 'd7y-digest-'));
    writeFileSync(join(dir, 'f'), data);
    expect(await digestFile(join(dir, 'f'), 'sha256')).toBe(expected);
  });

  it('compares case-insensitively and reports mismatches with a coded error', () => {
    expect(digestsEqual(`sha256:${'a'.repeat(64)}`, `SHA256:${'A'.repeat(64)}`)).toBe(true);
    expect(() => assertDigest(`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`, 'file x')).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_DIGEST_MISMATCH', message: expect.stringContaining('file x') }),
    );
  });
});

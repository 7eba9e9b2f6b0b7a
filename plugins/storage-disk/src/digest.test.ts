import { createHash, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { crc32 } from './crc32.js';
import { createDigester, digestsEqual, formatDigest, parseDigest } from './digest.js';

/** Bit-at-a-time reference CRC-32. */
function referenceCrc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('matches the standard check values', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('matches a bitwise reference at every length and alignment, and continues across chunks', () => {
    const data = randomBytes(4099);
    for (const length of [1, 7, 8, 9, 15, 16, 17, 255, 1024, 4099]) {
      for (const start of [0, 1, 3]) {
        const part = data.subarray(start, start + length);
        expect(crc32(part)).toBe(referenceCrc32(part));
      }
    }
    let running = 0;
    for (let offset = 0; offset < data.length; offset += 333) running = crc32(data.subarray(offset, offset + 333), running);
    expect(running).toBe(referenceCrc32(data));
  });
});

describe('digests', () => {
  it('parses and normalises the three algorithms', () => {
    const hex = 'AB'.repeat(32);
    expect(formatDigest(parseDigest(`SHA256:${hex}`))).toBe(`sha256:${hex.toLowerCase()}`);
    expect(formatDigest(parseDigest(`sha512:${'0'.repeat(128)}`))).toBe(`sha512:${'0'.repeat(128)}`);
    expect(formatDigest(parseDigest('crc32:0000000042'))).toBe('crc32:42');
    expect(digestsEqual(parseDigest('crc32:42'), parseDigest('crc32:0042'))).toBe(true);
  });

  it('rejects malformed digests with INVALID_ARGUMENT', () => {
    for (const bad of ['', 'sha256', ':abc', 'md5:00', 'sha256:xyz', `sha256:${'a'.repeat(63)}`, 'crc32:4294967296', 'crc32:-1', 'crc32:12345678901', 'x'.repeat(500)]) {
      expect(() => parseDigest(bad), bad).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
    }
  });

  it('digests incrementally like one-shot hashing', () => {
    const data = randomBytes(10_000);
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const digester = createDigester(algorithm);
      digester.update(data.subarray(0, 3));
      digester.update(data.subarray(3));
      expect(formatDigest(digester.digest())).toBe(`${algorithm}:${createHash(algorithm).update(data).digest('hex')}`);
    }
    const crc = createDigester('crc32');
    crc.update(data.subarray(0, 5000));
    crc.update(data.subarray(5000));
    expect(formatDigest(crc.digest())).toBe(`crc32:${referenceCrc32(data)}`);
  });
});

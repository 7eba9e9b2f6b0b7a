import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as zlib from 'node:zlib';

import { createError, ErrorCodes } from '../plugin-api/errors.js';

/** Digest algorithms accepted in `algo:encoded` strings. */
export type DigestAlgorithm = 'sha256' | 'sha512' | 'crc32';

/** A parsed digest. `encoded` is lower-case hex for sha*, a decimal u32 for crc32. */
export interface Digest {
  algorithm: DigestAlgorithm;
  encoded: string;
}

const ENCODING: Record<DigestAlgorithm, RegExp> = {
  sha256: /^[0-9a-f]{64}$/,
  sha512: /^[0-9a-f]{128}$/,
  // Dragonfly's parser demands exactly 10 digits, which rejects valid checksums below 10^9. We accept any
  // decimal u32 (checked numerically below) so that every real CRC32 value round-trips.
  crc32: /^[0-9]{1,10}$/,
};

/** Parses `algo:encoded`; throws `D7Y_ERR_INVALID_ARGUMENT` naming what is wrong. */
export function parseDigest(value: string): Digest {
  const colon = value.indexOf(':');
  if (colon <= 0) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `digest must look like <algorithm>:<encoded>, got ${JSON.stringify(value)}`);
  }
  const algorithm = value.slice(0, colon).toLowerCase();
  const encoded = value.slice(colon + 1).toLowerCase();
  if (!(algorithm in ENCODING)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `unsupported digest algorithm ${JSON.stringify(algorithm)}; use sha256, sha512 or crc32`);
  }
  const algo = algorithm as DigestAlgorithm;
  if (!ENCODING[algo].test(encoded) || (algo === 'crc32' && Number(encoded) > 0xffffffff)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `malformed ${algo} digest ${JSON.stringify(value.slice(colon + 1))}`);
  }
  return { algorithm: algo, encoded: algo === 'crc32' ? String(Number(encoded)) : encoded };
}

/** Formats a digest as `algo:encoded`. */
export function formatDigest(digest: Digest): string {
  return `${digest.algorithm}:${digest.encoded}`;
}

/** zlib's crc32(data, previous), when this Node has it. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Incremental digest computation. */
export interface Digester {
  update(chunk: Uint8Array): void;
  /** Finishes and returns `algo:encoded`. */
  digest(): string;
}

/** Creates an incremental digester for an algorithm. */
export function createDigester(algorithm: DigestAlgorithm): Digester {
  if (algorithm === 'crc32' && nativeCrc32) {
    // zlib's CRC-32 (Node >= 20.15), several times faster than the table below; same IEEE polynomial.
    const crc32 = nativeCrc32;
    let crc = 0;
    return {
      update(chunk) {
        crc = crc32(chunk, crc);
      },
      digest() {
        return `crc32:${crc >>> 0}`;
      },
    };
  }
  if (algorithm === 'crc32') {
    let crc = 0xffffffff;
    return {
      update(chunk) {
        crc = crc32Update(crc, chunk);
      },
      digest() {
        return `crc32:${(crc ^ 0xffffffff) >>> 0}`;
      },
    };
  }
  const hash: Hash = createHash(algorithm);
  return {
    update(chunk) {
      hash.update(chunk);
    },
    digest() {
      return `${algorithm}:${hash.digest('hex')}`;
    },
  };
}

/** Digest of a buffer as `algo:encoded`. */
export function digestOf(algorithm: DigestAlgorithm, data: Uint8Array): string {
  const digester = createDigester(algorithm);
  digester.update(data);
  return digester.digest();
}

/** True if two `algo:encoded` strings name the same digest (case and crc32 leading zeros ignored). */
export function digestsEqual(a: string, b: string): boolean {
  const left = parseDigest(a);
  const right = parseDigest(b);
  return left.algorithm === right.algorithm && left.encoded === right.encoded;
}

/** Throws `D7Y_ERR_DIGEST_MISMATCH` when `actual` differs from `expected`, naming `what`. */
export function assertDigest(expected: string, actual: string, what: string): void {
  if (!digestsEqual(expected, actual)) {
    throw createError(ErrorCodes.DIGEST_MISMATCH, `${what}: digest mismatch, expected ${expected}, got ${actual}`, {
      details: { expected, actual },
    });
  }
}

/** Computes the digest of a file's content. */
export async function digestFile(path: string, algorithm: DigestAlgorithm): Promise<string> {
  const digester = createDigester(algorithm);
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) digester.update(chunk as Buffer);
  return digester.digest();
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) table[t * 256 + n] = (table[(t - 1) * 256 + n] >>> 8) ^ table[table[(t - 1) * 256 + n] & 0xff];
  }
  return table;
})();

/** CRC-32 (IEEE) update, slicing by 8. `crc` is the running, non-inverted register. */
function crc32Update(crc: number, data: Uint8Array): number {
  const t = CRC_TABLE;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    const a = (crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
    crc =
      t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)] ^
      t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]] ^ t[data[i + 7]];
  }
  for (; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return crc >>> 0;
}

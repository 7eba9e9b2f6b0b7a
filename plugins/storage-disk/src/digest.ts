/**
 * Piece digests in Dragonfly's `<algorithm>:<encoded>` form: `sha256:<64 hex>`, `sha512:<128 hex>` or
 * `crc32:<decimal u32>`. Parsing normalises case (and crc32 leading zeros) so equal digests compare equal.
 */
import { createHash } from 'node:crypto';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import { crc32 } from './crc32.js';

/** Algorithms accepted for piece digests. */
export type DigestAlgorithm = 'sha256' | 'sha512' | 'crc32';

/** A parsed, normalised digest. */
export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  /** Lower-case hex for sha*, decimal without leading zeros for crc32. */
  readonly encoded: string;
}

/** Incremental digest computation over piece bytes. */
export interface Digester {
  /** Feeds bytes. */
  update(chunk: Uint8Array): void;
  /** Finishes and returns the normalised digest. */
  digest(): ParsedDigest;
}

/** The algorithm used when the writer supplies no expected digest. */
export const DEFAULT_DIGEST_ALGORITHM: DigestAlgorithm = 'sha256';

const ENCODING: Readonly<Record<DigestAlgorithm, RegExp>> = {
  sha256: /^[0-9a-f]{64}$/,
  sha512: /^[0-9a-f]{128}$/,
  crc32: /^[0-9]{1,10}$/,
};

/** Parses `algo:encoded`; throws `D7Y_ERR_INVALID_ARGUMENT` naming what is wrong. */
export function parseDigest(value: string): ParsedDigest {
  if (typeof value !== 'string' || value.length > 160) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, 'digest must be a string of at most 160 characters like <algorithm>:<encoded>');
  }
  const colon = value.indexOf(':');
  const algorithm = value.slice(0, Math.max(0, colon)).toLowerCase();
  const encoded = value.slice(colon + 1).toLowerCase();
  if (colon <= 0 || !Object.hasOwn(ENCODING, algorithm)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `unsupported digest ${JSON.stringify(value)}: expected sha256:<hex>, sha512:<hex> or crc32:<decimal>`);
  }
  const algo = algorithm as DigestAlgorithm;
  if (!ENCODING[algo].test(encoded) || (algo === 'crc32' && Number(encoded) > 0xffffffff)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `malformed ${algo} digest ${JSON.stringify(value)}`);
  }
  return { algorithm: algo, encoded: algo === 'crc32' ? String(Number(encoded)) : encoded };
}

/** Formats a digest as `algo:encoded`. */
export function formatDigest(digest: ParsedDigest): string {
  return `${digest.algorithm}:${digest.encoded}`;
}

/** True if two parsed digests are the same. */
export function digestsEqual(a: ParsedDigest, b: ParsedDigest): boolean {
  return a.algorithm === b.algorithm && a.encoded === b.encoded;
}

/** Creates an incremental digester. */
export function createDigester(algorithm: DigestAlgorithm): Digester {
  if (algorithm === 'crc32') {
    let crc = 0;
    return {
      update(chunk) {
        crc = crc32(chunk, crc);
      },
      digest: () => ({ algorithm, encoded: String(crc) }),
    };
  }
  const hash = createHash(algorithm);
  return {
    update(chunk) {
      hash.update(chunk);
    },
    digest: () => ({ algorithm, encoded: hash.digest('hex') }),
  };
}

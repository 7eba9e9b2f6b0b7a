/**
 * Personal access token values. A token is `d7y_pat_` + 32 random bytes (base64url); it is shown once, at
 * creation. The database keeps only HMAC-SHA256(server key, token) in hex: lookups go by that digest, and the
 * final comparison is constant-time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of every token this manager issues (helps secret scanners). */
export const PAT_PREFIX = 'd7y_pat_';
/** Longest bearer value treated as a PAT. */
export const MAX_PAT_LENGTH = 256;

/** A new token value. */
export function generatePatToken(): string {
  return PAT_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored digest of a token: HMAC-SHA256 with the server's PAT key, hex. */
export function patDigest(key: string, token: string): string {
  return createHmac('sha256', key).update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two hex digests of the same length; false for any other input. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

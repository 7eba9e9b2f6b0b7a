/**
 * For source plugins. Keeps credentials out of messages: every error text that leaves a plugin should be scrubbed of the request's
 * secret values, whatever the SDK or the server put into it.
 */
import type { ObjectStorageOptions } from './SourceClient.js';

/** Written instead of a secret. */
export const REDACTED = 'REDACTED';

/** The secret values of `options` worth scrubbing (the key id is an identifier, but still kept out). */
export function secretsOf(options: ObjectStorageOptions | undefined): string[] {
  if (!options) return [];
  return [options.accessKeyId, options.accessKeySecret, options.sessionToken, options.securityToken].filter(
    (value): value is string => typeof value === 'string' && value.length >= 4,
  );
}

/** `text` with every occurrence of each secret (also percent-encoded) replaced by `REDACTED`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * URL redaction for messages and logs: origins put credentials in userinfo and in signed query strings
 * (S3/OSS/GCS presigned URLs, CDN tokens), and none of them may reach an error message.
 */

/** Query parameter names whose values are secrets or signatures (matched case-insensitively, anywhere in the name). */
const SECRET_PARAM = /sig|token|secret|passw|credential|key|auth|session|policy|security/i;

/** Placeholder written instead of a secret value. */
export const REDACTED = 'REDACTED';

/**
 * The URL as text without userinfo, with the values of signature- and token-like query parameters replaced by
 * `REDACTED`, and without the fragment. Safe to put in messages and logs.
 */
export function redactUrl(url: URL | string): string {
  let copy: URL;
  try {
    copy = new URL(String(url));
  } catch {
    return '<invalid url>';
  }
  copy.username = '';
  copy.password = '';
  copy.hash = '';
  if (copy.search !== '') {
    const params = new URLSearchParams(copy.search);
    let changed = false;
    for (const name of new Set(params.keys())) {
      if (SECRET_PARAM.test(name)) {
        params.set(name, REDACTED);
        changed = true;
      }
    }
    if (changed) copy.search = params.toString();
  }
  return copy.toString();
}

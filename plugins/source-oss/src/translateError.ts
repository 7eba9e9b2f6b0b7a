/**
 * Translation of ali-oss failures into coded d7y errors, at the plugin edge. Messages name the operation,
 * the `oss://` URL and OSS's error code, and say which flag to check; they never carry credentials.
 */
import { createError, ErrorCodes, isD7yError, type D7yError, scrub } from '@d7y/core/plugin-api';


/** What was being done, for messages. */
export interface OssAttempt {
  operation: 'HeadObject' | 'GetObject' | 'ListObjectsV2';
  url: string;
  secrets: readonly string[];
  timeoutMs: number;
}

/** OSS error codes that mean the credentials are wrong, with the hint shown to the user. */
const CREDENTIAL_CODES: Readonly<Record<string, string>> = {
  InvalidAccessKeyId: 'the access key id is unknown; check --storage-access-key-id',
  SignatureDoesNotMatch: 'the signature does not match; check --storage-access-key-secret',
  InvalidSecurityToken: 'the STS security token is invalid; check --storage-security-token',
  SecurityTokenExpired: 'the STS security token has expired; pass a fresh --storage-security-token',
};

const NETWORK_NAMES = /ConnectionError|RequestError|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET/;

/**
 * Maps an ali-oss or socket failure: coded errors pass through; `NoSuchKey`/`NoSuchBucket`/404 are
 * `D7Y_ERR_NOT_FOUND`; bad credentials `D7Y_ERR_UNAUTHENTICATED`; other 403s `D7Y_ERR_PERMISSION_DENIED`;
 * timeouts `D7Y_ERR_TIMEOUT`; unreachable endpoints `D7Y_ERR_UNAVAILABLE`; the rest `D7Y_ERR_SOURCE_ERROR`.
 */
export function translateOssError(error: unknown, attempt: OssAttempt): D7yError {
  if (isD7yError(error)) return error;
  const e = (error ?? {}) as { name?: string; code?: string; status?: number; message?: string; cause?: unknown };
  if (isD7yError(e.cause)) return e.cause;
  const where = `${attempt.operation} ${attempt.url}`;
  const ossCode = e.code ?? e.name ?? 'Error';
  const status = typeof e.status === 'number' && e.status > 0 ? e.status : undefined;
  const details: Record<string, unknown> = { url: attempt.url, operation: attempt.operation, ossCode, ...(status === undefined ? {} : { statusCode: status }) };
  const serverMessage = scrub(String(e.message ?? ''), attempt.secrets);
  const hint = CREDENTIAL_CODES[ossCode];
  if (hint) return createError(ErrorCodes.UNAUTHENTICATED, `oss rejected the credentials for ${where}: ${ossCode}: ${hint}`, { details });
  if (ossCode === 'NoSuchKey' || ossCode === 'NoSuchBucket' || status === 404) {
    return createError(ErrorCodes.NOT_FOUND, `${ossCode === 'NoSuchBucket' ? 'bucket' : 'object'} not found for ${where}`, { details });
  }
  if (status === 403) return createError(ErrorCodes.PERMISSION_DENIED, `oss denied ${where}: ${ossCode}: ${serverMessage}`, { details });
  if (/Timeout/i.test(String(e.name)) || e.status === -2) {
    return createError(ErrorCodes.TIMEOUT, `oss did not answer within ${attempt.timeoutMs}ms for ${where}`, { details });
  }
  if (status === undefined && NETWORK_NAMES.test(`${e.name} ${e.code} ${e.message}`)) {
    return createError(ErrorCodes.UNAVAILABLE, `cannot reach the oss endpoint for ${where}: ${serverMessage}`, { details });
  }
  return createError(ErrorCodes.SOURCE_ERROR, `oss answered ${status ?? 'an error'} ${ossCode} for ${where}: ${serverMessage}`, { details });
}

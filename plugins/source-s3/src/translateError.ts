/**
 * Translation of @aws-sdk/client-s3 failures into coded d7y errors, at the plugin edge. Messages name the
 * operation, the `s3://` URL and S3's error code, and say which flag to check; they never carry credentials.
 */
import { createError, ErrorCodes, isD7yError, type D7yError, type ErrorCode, scrub } from '@d7y/core/plugin-api';


/** What was being done, for messages. */
export interface S3Attempt {
  operation: 'HeadObject' | 'GetObject' | 'ListObjectsV2';
  /** The `s3://` URL (has no secrets). */
  url: string;
  secrets: readonly string[];
  signal?: AbortSignal;
  timeoutMs: number;
}

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** S3 error codes that mean the credentials are wrong, with the hint shown to the user. */
const CREDENTIAL_CODES: Readonly<Record<string, string>> = {
  InvalidAccessKeyId: 'the access key id is unknown; check --storage-access-key-id',
  SignatureDoesNotMatch: 'the signature does not match; check --storage-access-key-secret',
  InvalidToken: 'the session token is invalid; check --storage-session-token',
  ExpiredToken: 'the session token has expired; pass a fresh --storage-session-token',
  InvalidSecurity: 'the security credentials are invalid',
  CredentialsProviderError: 'no credentials found: pass --storage-access-key-id and --storage-access-key-secret, or configure the AWS default credential chain',
};

const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

function codeFor(s3Code: string, status: number | undefined): ErrorCode {
  if (NOT_FOUND_CODES.has(s3Code) || status === 404) return ErrorCodes.NOT_FOUND;
  if (s3Code in CREDENTIAL_CODES) return ErrorCodes.UNAUTHENTICATED;
  if (status === 401) return ErrorCodes.UNAUTHENTICATED;
  if (status === 403 || s3Code === 'AccessDenied') return ErrorCodes.PERMISSION_DENIED;
  return ErrorCodes.SOURCE_ERROR;
}

/**
 * Maps an SDK or socket failure: coded errors (egress denials) pass through; aborts are `D7Y_ERR_CANCELLED`
 * or `D7Y_ERR_TIMEOUT`; missing keys and buckets `D7Y_ERR_NOT_FOUND`; bad credentials
 * `D7Y_ERR_UNAUTHENTICATED`; refused access `D7Y_ERR_PERMISSION_DENIED`; unreachable endpoints
 * `D7Y_ERR_UNAVAILABLE`; everything else `D7Y_ERR_SOURCE_ERROR` with the HTTP status in `details`.
 */
export function translateS3Error(error: unknown, attempt: S3Attempt): D7yError {
  const where = `${attempt.operation} ${attempt.url}`;
  if (isD7yError(error)) return error; // egress denials from the lookup, raised inside the SDK
  const e = (error ?? {}) as SdkError;
  const cause = (error as { cause?: unknown })?.cause;
  if (isD7yError(cause)) return cause;
  const status = e.$metadata?.httpStatusCode;
  const s3Code = e.Code ?? e.name ?? e.code ?? 'Error';
  const details: Record<string, unknown> = { url: attempt.url, operation: attempt.operation, s3Code };
  if (status !== undefined) details.statusCode = status;
  if (attempt.signal?.aborted) {
    const timedOut = (attempt.signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    return timedOut
      ? createError(ErrorCodes.TIMEOUT, `s3 did not answer within ${attempt.timeoutMs}ms for ${where}`, { details })
      : createError(ErrorCodes.CANCELLED, `request cancelled for ${where}`, { details });
  }
  if (e.name === 'TimeoutError' || (e.code === 'ETIMEDOUT' && status === undefined)) {
    return createError(ErrorCodes.TIMEOUT, `s3 did not answer within ${attempt.timeoutMs}ms for ${where}`, { details });
  }
  const serverMessage = scrub(String(e.message ?? ''), attempt.secrets);
  const hint = CREDENTIAL_CODES[s3Code];
  if (hint) return createError(ErrorCodes.UNAUTHENTICATED, `s3 rejected the credentials for ${where}: ${s3Code}: ${hint}`, { details });
  const errno = (error as { code?: string })?.code;
  if (status === undefined && errno !== undefined && NETWORK_CODES.has(errno)) {
    return createError(ErrorCodes.UNAVAILABLE, `cannot reach the s3 endpoint for ${where}: ${serverMessage}`, { details: { ...details, cause: errno } });
  }
  const code = codeFor(s3Code, status);
  const what = code === ErrorCodes.NOT_FOUND ? (s3Code === 'NoSuchBucket' ? 'bucket not found' : 'object not found') : `s3 answered ${status ?? 'an error'} ${s3Code}`;
  const text = serverMessage && serverMessage !== s3Code && serverMessage !== 'UnknownError' ? `: ${serverMessage}` : '';
  return createError(code, `${what} for ${where}${text}`, { details });
}

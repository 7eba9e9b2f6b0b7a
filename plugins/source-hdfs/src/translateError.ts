/**
 * WebHDFS failures as coded d7y errors. WebHDFS answers errors as
 * `{"RemoteException":{"exception","javaClassName","message"}}` with 400/401/403/404/500; messages here name
 * the operation, the `hdfs://` URL (never a token) and the Java exception.
 */
import { createError, ErrorCodes, isD7yError, type D7yError, type ErrorCode } from '@d7y/core/plugin-api';

/** What was being done, for messages. */
export interface HdfsAttempt {
  op: string;
  /** The `hdfs://` URL. */
  url: string;
  timeoutMs: number;
  /** The delegation token, scrubbed from any text that leaves the plugin. */
  token?: string;
}

const TOKEN_HINT = 'check --hdfs-delegation-token';

function scrub(text: string, token: string | undefined): string {
  return token && token.length >= 4 ? text.split(token).join('REDACTED').split(encodeURIComponent(token)).join('REDACTED') : text;
}

/** The error for a WebHDFS error status with its (possibly absent) RemoteException. */
export function remoteError(attempt: HdfsAttempt, status: number, body: string): D7yError {
  let exception = '';
  let message = '';
  try {
    const parsed = JSON.parse(body) as { RemoteException?: { exception?: string; message?: string } };
    exception = parsed.RemoteException?.exception ?? '';
    message = parsed.RemoteException?.message ?? '';
  } catch {
    // not JSON: a proxy or a server without WebHDFS
  }
  const where = `${attempt.op} ${attempt.url}`;
  const details = { url: attempt.url, op: attempt.op, statusCode: status, exception };
  const said = scrub(message, attempt.token);
  if (status === 404 || exception === 'FileNotFoundException') return createError(ErrorCodes.NOT_FOUND, `file not found for ${where}${said ? `: ${said}` : ''}`, { details });
  if (status === 401 || /InvalidToken|SecurityException|AuthenticationException/.test(exception)) {
    return createError(ErrorCodes.UNAUTHENTICATED, `webhdfs rejected the credentials for ${where}: ${exception || status}${said ? `: ${said}` : ''}; ${TOKEN_HINT}`, { details });
  }
  let code: ErrorCode = ErrorCodes.SOURCE_ERROR;
  if (status === 403 || exception === 'AccessControlException') code = ErrorCodes.PERMISSION_DENIED;
  else if (status === 400) code = ErrorCodes.INVALID_ARGUMENT;
  const text = exception ? `${exception}${said ? `: ${said}` : ''}` : body.trim() === '' ? 'no error document' : 'not a WebHDFS error document (is WebHDFS enabled on this port?)';
  return createError(code, `webhdfs answered ${status} for ${where}: ${text}`, { details });
}

const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** A socket-level failure: coded errors pass through, timeouts, cancellations, unreachable hosts. */
export function transportError(error: unknown, attempt: HdfsAttempt, signal?: AbortSignal): D7yError {
  if (isD7yError(error)) return error;
  const where = `${attempt.op} ${attempt.url}`;
  if (signal?.aborted) return createError(ErrorCodes.CANCELLED, `request cancelled for ${where}`);
  const code = (error as { code?: string } | null)?.code;
  const message = scrub((error as Error | null)?.message ?? String(error), attempt.token);
  if (code === 'ETIMEDOUT') return createError(ErrorCodes.TIMEOUT, `webhdfs did not answer within ${attempt.timeoutMs}ms for ${where}`, { details: { url: attempt.url } });
  if (code !== undefined && UNAVAILABLE.has(code)) return createError(ErrorCodes.UNAVAILABLE, `cannot reach webhdfs for ${where}: ${message}`, { details: { url: attempt.url, cause: code } });
  return createError(ErrorCodes.SOURCE_ERROR, `request failed for ${where}: ${message}`, { details: { url: attempt.url } });
}

/**
 * Coded errors shared by the kernel and plugins.
 *
 * Errors cross package boundaries (a plugin may bundle its own copy of this file), so they are recognised by
 * their `code` string, never with `instanceof`. Every code starts with `D7Y_ERR_`.
 */
export const ErrorCodes = {
  /** Input from a user, a file or the network is malformed. */
  INVALID_ARGUMENT: 'D7Y_ERR_INVALID_ARGUMENT',
  /** A config file failed validation. */
  INVALID_CONFIG: 'D7Y_ERR_INVALID_CONFIG',
  /** A task, piece, host, peer or record does not exist. */
  NOT_FOUND: 'D7Y_ERR_NOT_FOUND',
  /** The thing being created exists already. */
  ALREADY_EXISTS: 'D7Y_ERR_ALREADY_EXISTS',
  /** The caller is not authenticated. */
  UNAUTHENTICATED: 'D7Y_ERR_UNAUTHENTICATED',
  /** The caller is authenticated but not allowed. */
  PERMISSION_DENIED: 'D7Y_ERR_PERMISSION_DENIED',
  /** A rate or concurrency limit refused the request. */
  RESOURCE_EXHAUSTED: 'D7Y_ERR_RESOURCE_EXHAUSTED',
  /** The operation is not valid in the current state. */
  FAILED_PRECONDITION: 'D7Y_ERR_FAILED_PRECONDITION',
  /** A deadline passed. */
  TIMEOUT: 'D7Y_ERR_TIMEOUT',
  /** A dependency (database, scheduler, peer) cannot be reached right now. */
  UNAVAILABLE: 'D7Y_ERR_UNAVAILABLE',
  /** The operation was cancelled by the caller. */
  CANCELLED: 'D7Y_ERR_CANCELLED',
  /** Content does not match its expected digest. */
  DIGEST_MISMATCH: 'D7Y_ERR_DIGEST_MISMATCH',
  /** The back-to-source origin answered with an error status or broke the protocol. */
  SOURCE_ERROR: 'D7Y_ERR_SOURCE_ERROR',
  /** No source client is registered for a URL scheme. */
  UNSUPPORTED_SCHEME: 'D7Y_ERR_UNSUPPORTED_SCHEME',
  /** The egress policy refused an outbound address. */
  EGRESS_DENIED: 'D7Y_ERR_EGRESS_DENIED',
  /** Stored data is damaged. */
  DATA_CORRUPTED: 'D7Y_ERR_DATA_CORRUPTED',
  /** A plugin could not be resolved or imported. */
  PLUGIN_LOAD: 'D7Y_ERR_PLUGIN_LOAD',
  /** A plugin's exported object is not a valid plugin. */
  PLUGIN_INVALID: 'D7Y_ERR_PLUGIN_INVALID',
  /** A plugin was built against an incompatible plugin API version. */
  PLUGIN_API_MISMATCH: 'D7Y_ERR_PLUGIN_API_MISMATCH',
  /** Two plugins claim the same (kind, name) or the same URL scheme. */
  PLUGIN_DUPLICATE: 'D7Y_ERR_PLUGIN_DUPLICATE',
  /** A plugin's config section failed its schema. */
  PLUGIN_CONFIG: 'D7Y_ERR_PLUGIN_CONFIG',
  /** A plugin package exists but its capability is not part of this release. */
  PLUGIN_UNAVAILABLE: 'D7Y_ERR_PLUGIN_UNAVAILABLE',
  /** One or more plugins failed while the kernel started. */
  STARTUP: 'D7Y_ERR_STARTUP',
  /** Anything else: a bug. */
  INTERNAL: 'D7Y_ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** A coded error. `details` carries machine-readable context and must never hold secrets. */
export class D7yError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'D7yError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/** Creates a coded error; the preferred way for plugins to fail. */
export function createError(
  code: ErrorCode,
  message: string,
  options?: { details?: Record<string, unknown>; cause?: unknown },
): D7yError {
  return new D7yError(code, message, options);
}

/** Structural check: true for any error carrying a `D7Y_ERR_*` code, whichever copy of this module made it. */
export function isD7yError(value: unknown): value is D7yError {
  if (typeof value !== 'object' || value === null) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('D7Y_ERR_') && typeof (value as Error).message === 'string';
}

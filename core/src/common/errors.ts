import { status as GrpcStatus, type Metadata, type ServiceError } from '@grpc/grpc-js';

import { type ErrorCode, ErrorCodes, isD7yError } from '../plugin-api/errors.js';

export { createError, D7yError, ErrorCodes, isD7yError, type ErrorCode } from '../plugin-api/errors.js';

const GRPC_BY_CODE: Record<ErrorCode, GrpcStatus> = {
  [ErrorCodes.INVALID_ARGUMENT]: GrpcStatus.INVALID_ARGUMENT,
  [ErrorCodes.INVALID_CONFIG]: GrpcStatus.INVALID_ARGUMENT,
  [ErrorCodes.NOT_FOUND]: GrpcStatus.NOT_FOUND,
  [ErrorCodes.ALREADY_EXISTS]: GrpcStatus.ALREADY_EXISTS,
  [ErrorCodes.UNAUTHENTICATED]: GrpcStatus.UNAUTHENTICATED,
  [ErrorCodes.PERMISSION_DENIED]: GrpcStatus.PERMISSION_DENIED,
  [ErrorCodes.RESOURCE_EXHAUSTED]: GrpcStatus.RESOURCE_EXHAUSTED,
  [ErrorCodes.FAILED_PRECONDITION]: GrpcStatus.FAILED_PRECONDITION,
  [ErrorCodes.TIMEOUT]: GrpcStatus.DEADLINE_EXCEEDED,
  [ErrorCodes.UNAVAILABLE]: GrpcStatus.UNAVAILABLE,
  [ErrorCodes.CANCELLED]: GrpcStatus.CANCELLED,
  [ErrorCodes.DIGEST_MISMATCH]: GrpcStatus.DATA_LOSS,
  [ErrorCodes.SOURCE_ERROR]: GrpcStatus.FAILED_PRECONDITION,
  [ErrorCodes.UNSUPPORTED_SCHEME]: GrpcStatus.INVALID_ARGUMENT,
  [ErrorCodes.EGRESS_DENIED]: GrpcStatus.PERMISSION_DENIED,
  [ErrorCodes.DATA_CORRUPTED]: GrpcStatus.DATA_LOSS,
  [ErrorCodes.PLUGIN_LOAD]: GrpcStatus.INTERNAL,
  [ErrorCodes.PLUGIN_INVALID]: GrpcStatus.INTERNAL,
  [ErrorCodes.PLUGIN_API_MISMATCH]: GrpcStatus.INTERNAL,
  [ErrorCodes.PLUGIN_DUPLICATE]: GrpcStatus.INTERNAL,
  [ErrorCodes.PLUGIN_CONFIG]: GrpcStatus.INTERNAL,
  [ErrorCodes.PLUGIN_UNAVAILABLE]: GrpcStatus.UNIMPLEMENTED,
  [ErrorCodes.STARTUP]: GrpcStatus.INTERNAL,
  [ErrorCodes.INTERNAL]: GrpcStatus.INTERNAL,
};

const HTTP_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.INVALID_ARGUMENT]: 400,
  [ErrorCodes.INVALID_CONFIG]: 400,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.ALREADY_EXISTS]: 409,
  [ErrorCodes.UNAUTHENTICATED]: 401,
  [ErrorCodes.PERMISSION_DENIED]: 403,
  [ErrorCodes.RESOURCE_EXHAUSTED]: 429,
  [ErrorCodes.FAILED_PRECONDITION]: 412,
  [ErrorCodes.TIMEOUT]: 504,
  [ErrorCodes.UNAVAILABLE]: 503,
  [ErrorCodes.SOURCE_ERROR]: 502,
  [ErrorCodes.EGRESS_DENIED]: 403,
  [ErrorCodes.UNSUPPORTED_SCHEME]: 400,
  [ErrorCodes.DIGEST_MISMATCH]: 502,
};

/** Metadata key carrying our error code on gRPC errors. */
export const ERROR_CODE_METADATA_KEY = 'x-d7y-error-code';
/** Metadata key carrying origin error details (status code and headers) as JSON. */
export const ERROR_DETAILS_METADATA_KEY = 'x-d7y-error-details';

/** The gRPC status for an error; unknown errors are INTERNAL. */
export function toGrpcStatus(error: unknown): GrpcStatus {
  return isD7yError(error) ? GRPC_BY_CODE[error.code] ?? GrpcStatus.INTERNAL : GrpcStatus.INTERNAL;
}

/** The HTTP status for an error; unknown errors are 500. */
export function toHttpStatus(error: unknown): number {
  if (isD7yError(error)) {
    const origin = error.details.statusCode;
    if (error.code === ErrorCodes.SOURCE_ERROR && typeof origin === 'number' && origin >= 400 && origin < 600) return origin;
    return HTTP_BY_CODE[error.code] ?? 500;
  }
  return 500;
}

/**
 * Converts any error into a gRPC ServiceError for a server callback. Coded errors keep their message and code;
 * anything else becomes "internal error" so that stack traces and secrets never leave the process.
 */
export function toServiceError(error: unknown, metadataFactory: () => Metadata): Partial<ServiceError> {
  if (!isD7yError(error)) return { code: GrpcStatus.INTERNAL, details: 'internal error' };
  const metadata = metadataFactory();
  metadata.set(ERROR_CODE_METADATA_KEY, error.code);
  const { statusCode, headers } = error.details as { statusCode?: unknown; headers?: unknown };
  if (statusCode !== undefined) metadata.set(ERROR_DETAILS_METADATA_KEY, JSON.stringify({ statusCode, headers }));
  return { code: toGrpcStatus(error), details: error.message, metadata };
}

const CODE_BY_GRPC: Partial<Record<GrpcStatus, ErrorCode>> = {
  [GrpcStatus.INVALID_ARGUMENT]: ErrorCodes.INVALID_ARGUMENT,
  [GrpcStatus.NOT_FOUND]: ErrorCodes.NOT_FOUND,
  [GrpcStatus.ALREADY_EXISTS]: ErrorCodes.ALREADY_EXISTS,
  [GrpcStatus.UNAUTHENTICATED]: ErrorCodes.UNAUTHENTICATED,
  [GrpcStatus.PERMISSION_DENIED]: ErrorCodes.PERMISSION_DENIED,
  [GrpcStatus.RESOURCE_EXHAUSTED]: ErrorCodes.RESOURCE_EXHAUSTED,
  [GrpcStatus.FAILED_PRECONDITION]: ErrorCodes.FAILED_PRECONDITION,
  [GrpcStatus.DEADLINE_EXCEEDED]: ErrorCodes.TIMEOUT,
  [GrpcStatus.UNAVAILABLE]: ErrorCodes.UNAVAILABLE,
  [GrpcStatus.CANCELLED]: ErrorCodes.CANCELLED,
  [GrpcStatus.DATA_LOSS]: ErrorCodes.DATA_CORRUPTED,
};

/** The coded error a gRPC client error stands for, preferring the code the server attached. */
export function fromGrpcError(error: Partial<ServiceError>): { code: ErrorCode; message: string; details: Record<string, unknown> } {
  const attached = error.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  const details: Record<string, unknown> = {};
  const rawDetails = error.metadata?.get(ERROR_DETAILS_METADATA_KEY)[0];
  if (typeof rawDetails === 'string') {
    try {
      Object.assign(details, JSON.parse(rawDetails));
    } catch {
      // Ignore malformed details from a foreign server.
    }
  }
  const known = Object.values(ErrorCodes) as string[];
  const code =
    typeof attached === 'string' && known.includes(attached)
      ? (attached as ErrorCode)
      : (CODE_BY_GRPC[error.code ?? GrpcStatus.UNKNOWN] ?? ErrorCodes.INTERNAL);
  return { code, message: error.details ?? error.message ?? 'unknown error', details };
}

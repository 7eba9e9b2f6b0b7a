import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';

import { createError, ErrorCodes, fromGrpcError, isD7yError, toGrpcStatus, toHttpStatus, toServiceError } from './errors.js';

describe('error mapping', () => {
  it('maps coded errors to gRPC and HTTP statuses', () => {
    expect(toGrpcStatus(createError(ErrorCodes.NOT_FOUND, 'x'))).toBe(status.NOT_FOUND);
    expect(toGrpcStatus(new Error('boom'))).toBe(status.INTERNAL);
    expect(toHttpStatus(createError(ErrorCodes.RESOURCE_EXHAUSTED, 'x'))).toBe(429);
    expect(toHttpStatus(createError(ErrorCodes.SOURCE_ERROR, 'x', { details: { statusCode: 404 } }))).toBe(404);
    expect(toHttpStatus(createError(ErrorCodes.SOURCE_ERROR, 'x'))).toBe(502);
    expect(toHttpStatus('weird')).toBe(500);
  });

  it('recognises coded errors structurally, not by class', () => {
    expect(isD7yError({ code: 'D7Y_ERR_NOT_FOUND', message: 'from another copy' })).toBe(true);
    expect(isD7yError({ code: 'ENOENT', message: 'x' })).toBe(false);
    expect(isD7yError(null)).toBe(false);
  });

  it('round-trips a coded error through gRPC metadata and hides uncoded ones', () => {
    const sent = toServiceError(
      createError(ErrorCodes.SOURCE_ERROR, 'origin answered 500', { details: { statusCode: 500, headers: { a: 'b' } } }),
      () => new Metadata(),
    );
    const received = fromGrpcError(sent);
    expect(received).toEqual({ code: 'D7Y_ERR_SOURCE_ERROR', message: 'origin answered 500', details: { statusCode: 500, headers: { a: 'b' } } });
    const hidden = toServiceError(new Error('secret stack'), () => new Metadata());
    expect(hidden.details).toBe('internal error');
    expect(fromGrpcError({ code: status.UNAVAILABLE, details: 'down' }).code).toBe('D7Y_ERR_UNAVAILABLE');
  });
});

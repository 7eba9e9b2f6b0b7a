import { describe, expect, it } from 'vitest';

import { createError, ErrorCodes } from '../../common/errors.js';
import { errorResponse, UNAVAILABLE_MESSAGE } from './httpErrors.js';

describe('errorResponse', () => {
  it('maps coded errors to HTTP statuses, validation to 422 with the field', () => {
    expect(errorResponse(createError(ErrorCodes.INVALID_ARGUMENT, 'name: too short', { details: { field: 'name' } }))).toEqual({
      status: 422,
      body: { code: 'D7Y_ERR_INVALID_ARGUMENT', message: 'name: too short', field: 'name' },
    });
    expect(errorResponse(createError(ErrorCodes.UNAUTHENTICATED, 'x')).status).toBe(401);
    expect(errorResponse(createError(ErrorCodes.PERMISSION_DENIED, 'x')).status).toBe(403);
    expect(errorResponse(createError(ErrorCodes.NOT_FOUND, 'x')).status).toBe(404);
    expect(errorResponse(createError(ErrorCodes.ALREADY_EXISTS, 'x')).status).toBe(409);
    expect(errorResponse(createError(ErrorCodes.FAILED_PRECONDITION, 'x')).status).toBe(412);
    expect(errorResponse(createError(ErrorCodes.RESOURCE_EXHAUSTED, 'x')).status).toBe(429);
  });

  it('hides the cause of 503s and 500s', () => {
    expect(errorResponse(createError(ErrorCodes.UNAVAILABLE, 'postgres at 10.0.0.1:5432 is unavailable: ECONNREFUSED'))).toEqual({
      status: 503,
      body: { code: 'D7Y_ERR_UNAVAILABLE', message: UNAVAILABLE_MESSAGE },
    });
    expect(errorResponse(createError(ErrorCodes.INTERNAL, 'mysql error 1064: near "secret"'))).toEqual({ status: 500, body: { code: 'D7Y_ERR_INTERNAL', message: 'internal error' } });
    expect(errorResponse(new TypeError('x is undefined'))).toEqual({ status: 500, body: { code: 'D7Y_ERR_INTERNAL', message: 'internal error' } });
  });

  it('keeps Fastify client errors as 4xx, and only those', () => {
    expect(errorResponse(Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' })).status).toBe(413);
    expect(errorResponse(Object.assign(new Error('bad json'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON' }))).toMatchObject({ status: 400 });
    expect(errorResponse(Object.assign(new Error('leak'), { statusCode: 400, code: 'ECONNRESET' })).status).toBe(500);
  });
});

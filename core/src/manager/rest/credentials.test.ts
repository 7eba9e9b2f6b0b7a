import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';

import { bearerToken, sessionToken } from './credentials.js';

const req = (headers: Record<string, string>, cookies: Record<string, string> = {}) => ({ headers, cookies }) as unknown as FastifyRequest;

describe('credentials', () => {
  it('reads a bearer token and refuses any other Authorization scheme', () => {
    expect(bearerToken(req({}))).toBeUndefined();
    expect(bearerToken(req({ authorization: 'Bearer abc.def.ghi' }))).toBe('abc.def.ghi');
    expect(bearerToken(req({ authorization: 'bearer  abc' }))).toBe('abc');
    for (const bad of ['', 'Bearer', 'Bearer ', 'Basic abc', 'Token abc', 'Bearer a b']) {
      expect(() => bearerToken(req({ authorization: bad })), bad).toThrow(expect.objectContaining({ code: 'D7Y_ERR_UNAUTHENTICATED' }));
    }
  });

  it('takes the session token from the header first, then the jwt cookie, never from the query string', () => {
    expect(sessionToken(req({ authorization: 'Bearer from-header' }, { jwt: 'from-cookie' }))).toBe('from-header');
    expect(sessionToken(req({}, { jwt: 'from-cookie' }))).toBe('from-cookie');
    expect(sessionToken(req({}, { jwt: '' }))).toBeUndefined();
    expect(sessionToken({ headers: {}, cookies: {}, query: { token: 'q' } } as unknown as FastifyRequest)).toBeUndefined();
  });
});

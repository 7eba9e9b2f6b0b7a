import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';

import { enforceAccess } from './guard.js';
import type { RestContext } from './RestContext.js';

const request = { method: 'GET', headers: {} } as FastifyRequest;
const noContext = {} as RestContext;
const codeOf = (promise: Promise<unknown>) => promise.then(() => 'allowed', (e: { code?: string }) => e.code);

describe('enforceAccess', () => {
  it('refuses a route without a declared access rule', async () => {
    expect(await codeOf(enforceAccess(noContext, request, undefined))).toBe('D7Y_ERR_PERMISSION_DENIED');
  });

  it('refuses peer access on REST (no peer credentials exist there yet)', async () => {
    expect(await codeOf(enforceAccess(noContext, request, { kind: 'peer' }))).toBe('D7Y_ERR_UNAUTHENTICATED');
  });

  it('asks for credentials before touching anything on JWT and PAT routes', async () => {
    expect(await codeOf(enforceAccess(noContext, request, { kind: 'jwt', rbac: 'users' }))).toBe('D7Y_ERR_UNAUTHENTICATED');
    expect(await codeOf(enforceAccess(noContext, request, { kind: 'pat', scope: 'cluster', group: 'clusters' }))).toBe('D7Y_ERR_UNAUTHENTICATED');
    const basic = { method: 'GET', headers: { authorization: 'Basic abc' } } as FastifyRequest;
    expect(await codeOf(enforceAccess(noContext, basic, { kind: 'pat', scope: 'cluster', group: 'clusters' }))).toBe('D7Y_ERR_UNAUTHENTICATED');
  });

  it('lets public routes through', async () => {
    expect(await codeOf(enforceAccess(noContext, request, { kind: 'public' }))).toBe('allowed');
  });
});

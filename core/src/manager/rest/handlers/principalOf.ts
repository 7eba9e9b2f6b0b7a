/** Reading the caller in handlers. */
import type { FastifyRequest } from 'fastify';

import { createError, ErrorCodes } from '../../../common/errors.js';
import type { Principal } from '../../auth/Principal.js';
import { isAllowed } from '../../auth/rbac.js';

/** The authenticated caller; the guard guarantees one on non-public routes. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw createError(ErrorCodes.UNAUTHENTICATED, 'authentication required');
  return request.principal;
}

/** True when the caller may change anything in `group` (an administrator of it). */
export function isGroupAdmin(principal: Principal, group: string): boolean {
  return isAllowed(principal.permissions, group, '*');
}

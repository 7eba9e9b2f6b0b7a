/**
 * `/api/v1/users`: read users, change profiles (own, or any as an admin of `users`), reset one's own
 * password, and manage the roles of a user (admins). The last enabled `root` cannot lose the role.
 */
import { z } from 'zod';

import { createError, ErrorCodes } from '../../../common/errors.js';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from '../../auth/password.js';
import { ROOT_ROLE } from '../../auth/rbac.js';
import { SESSION_COOKIE } from '../credentials.js';
import { limitOffset, paginationQuery, setPaginationHeaders } from '../pagination.js';
import { takeAttempt } from '../rateLimits.js';
import type { RouteHandler } from '../RestContext.js';
import { idParam, newPassword, text } from '../schemas.js';
import { userJson } from '../serializers.js';
import { validate } from '../validation.js';
import { isGroupAdmin, principalOf } from './principalOf.js';
import { serializeUser } from './userView.js';

const listQuery = z.object({ ...paginationQuery, name: text(64).optional(), email: text(255).optional(), state: z.enum(['enable', 'disable']).optional() });
const updateBody = z.object({
  email: z.email('expected an email address').max(255).optional(),
  phone: text(64).optional(),
  avatar: text(1024).optional(),
  location: text(255).optional(),
  bio: text(1024).optional(),
  state: z.enum(['enable', 'disable']).optional(),
});
const resetBody = z.object({ old_password: z.string().min(1, 'required').max(MAX_PASSWORD_LENGTH), new_password: newPassword });
const roleParams = idParam.extend({ role: text(64) });

const getUser: RouteHandler = async (ctx, request) => serializeUser(ctx, validate(idParam, request.params, 'params').id);

/**
 * `GET /api/v1/users/me` (d7y addition): the signed-in user with their roles and permissions. The console
 * needs it because its session cookie is HttpOnly, so scripts cannot read the user id from the token.
 */
const me: RouteHandler = async (ctx, request) => {
  const principal = principalOf(request);
  if (principal.type !== 'USER') throw createError(ErrorCodes.PERMISSION_DENIED, 'only a signed-in user has a profile');
  return { ...(await serializeUser(ctx, principal.userId)), roles: principal.roles, permissions: principal.permissions };
};

const listUsers: RouteHandler = async (ctx, request, reply) => {
  const { page, per_page: perPage, ...filter } = validate(listQuery, request.query, 'query');
  const { limit, offset } = limitOffset(page, perPage);
  const { rows, total } = await ctx.auth.users.list(filter, limit, offset);
  setPaginationHeaders(request, reply, page, perPage, total);
  return rows.map(userJson);
};

const updateUser: RouteHandler = async (ctx, request) => {
  const { id } = validate(idParam, request.params, 'params');
  const principal = principalOf(request);
  const admin = isGroupAdmin(principal, 'users');
  if (principal.userId !== id && !admin) throw createError(ErrorCodes.PERMISSION_DENIED, 'you may only change your own profile');
  const body = validate(updateBody, request.body, 'body');
  if (body.state !== undefined && !admin) throw createError(ErrorCodes.PERMISSION_DENIED, 'state: only an administrator may change it');
  if (body.state === 'disable' && principal.userId === id) throw createError(ErrorCodes.FAILED_PRECONDITION, 'state: you cannot disable your own account');
  await ctx.auth.users.updateProfile(id, body);
  return serializeUser(ctx, id);
};

const resetPassword: RouteHandler = async (ctx, request, reply) => {
  const { id } = validate(idParam, request.params, 'params');
  const principal = principalOf(request);
  if (principal.type !== 'USER' || principal.userId !== id) throw createError(ErrorCodes.PERMISSION_DENIED, 'you may only reset your own password');
  const body = validate(resetBody, request.body, 'body');
  await takeAttempt(ctx.sharedState, `reset_password:user:${id}`, ctx.rateLimits.resetPasswordPerUser);
  const user = await ctx.auth.users.findById(id);
  if (user === undefined || !(await verifyPassword(body.old_password, user.encrypted_password))) {
    throw createError(ErrorCodes.PERMISSION_DENIED, 'old_password: incorrect');
  }
  await ctx.auth.users.setPassword(id, await hashPassword(body.new_password));
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  return {};
};

const userRoles: RouteHandler = async (ctx, request) => {
  const { id } = validate(idParam, request.params, 'params');
  await serializeUser(ctx, id);
  return ctx.auth.roles.rolesOf(id);
};

const addRole: RouteHandler = async (ctx, request) => {
  const { id, role } = validate(roleParams, request.params, 'params');
  await serializeUser(ctx, id);
  if ((await ctx.auth.roles.find(role)) === undefined) throw createError(ErrorCodes.NOT_FOUND, `role ${role} not found`);
  await ctx.auth.roles.addUserRole(id, role);
  return {};
};

const removeRole: RouteHandler = async (ctx, request) => {
  const { id, role } = validate(roleParams, request.params, 'params');
  const user = await ctx.auth.users.findById(id);
  if (user === undefined) throw createError(ErrorCodes.NOT_FOUND, `user ${id} not found`);
  if (role === ROOT_ROLE && user.state === 'enable' && (await ctx.auth.roles.rolesOf(id)).includes(ROOT_ROLE) && (await ctx.auth.roles.countEnabledMembers(ROOT_ROLE)) <= 1) {
    throw createError(ErrorCodes.FAILED_PRECONDITION, 'role: cannot remove root from the last enabled root user');
  }
  if (!(await ctx.auth.roles.removeUserRole(id, role))) throw createError(ErrorCodes.NOT_FOUND, `user ${id} does not have role ${role}`);
  return {};
};

/** Handlers of the user routes. */
export const userHandlers = {
  'users.me': me,
  'users.get': getUser,
  'users.list': listUsers,
  'users.update': updateUser,
  'users.resetPassword': resetPassword,
  'users.roles': userRoles,
  'users.addRole': addRole,
  'users.removeRole': removeRole,
};

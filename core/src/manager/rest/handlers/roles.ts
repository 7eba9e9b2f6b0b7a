/**
 * `/api/v1/roles` and `/api/v1/permissions`, in Dragonfly's shapes: a role list is an array of names, a role
 * is an array of `{object, action}`. Objects must be known API groups; the built-in roles `root` and
 * `guest` cannot be deleted or changed (they are re-granted on every start).
 */
import { z } from 'zod';

import { createError, ErrorCodes } from '../../../common/errors.js';
import { BUILT_IN_ROLES } from '../../auth/rbac.js';
import type { RestContext, RouteHandler } from '../RestContext.js';
import { text } from '../schemas.js';
import { validate } from '../validation.js';

const roleName = z.string().min(1, 'required').max(64, 'at most 64 characters').regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-"');
const permission = z.object({ object: text(64), action: z.enum(['read', '*']) });
const permissions = z.array(permission).min(1, 'at least one permission').max(200, 'at most 200 permissions');
const createBody = z.object({ role: roleName, description: text(1024).optional(), permissions });
const permissionsBody = z.object({ permissions });
const roleParam = z.object({ role: text(64) });

function checkObjects(ctx: RestContext, list: readonly { object: string }[]): void {
  list.forEach((p, i) => {
    if (!ctx.groups.includes(p.object)) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `permissions.${i}.object: unknown API group "${p.object}"`, { details: { field: `permissions.${i}.object` } });
    }
  });
}

function refuseBuiltIn(role: string): void {
  if (BUILT_IN_ROLES.includes(role)) throw createError(ErrorCodes.FAILED_PRECONDITION, `role: ${role} is built in and cannot be changed`);
}

async function existingRole(ctx: RestContext, role: string) {
  const found = await ctx.auth.roles.find(role);
  if (found === undefined) throw createError(ErrorCodes.NOT_FOUND, `role ${role} not found`);
  return found;
}

const createRole: RouteHandler = async (ctx, request) => {
  const body = validate(createBody, request.body, 'body');
  checkObjects(ctx, body.permissions);
  await ctx.auth.roles.create(body.role, body.description ?? '', body.permissions);
  return (await existingRole(ctx, body.role)).permissions;
};

const destroyRole: RouteHandler = async (ctx, request) => {
  const { role } = validate(roleParam, request.params, 'params');
  refuseBuiltIn(role);
  await ctx.auth.roles.delete(role);
  return {};
};

const getRole: RouteHandler = async (ctx, request) => (await existingRole(ctx, validate(roleParam, request.params, 'params').role)).permissions;

const listRoles: RouteHandler = async (ctx) => (await ctx.auth.roles.list()).map((role) => role.name);

const addPermissions: RouteHandler = async (ctx, request) => {
  const { role } = validate(roleParam, request.params, 'params');
  const body = validate(permissionsBody, request.body, 'body');
  refuseBuiltIn(role);
  checkObjects(ctx, body.permissions);
  await existingRole(ctx, role);
  await ctx.auth.roles.grant(role, body.permissions);
  return (await existingRole(ctx, role)).permissions;
};

const removePermissions: RouteHandler = async (ctx, request) => {
  const { role } = validate(roleParam, request.params, 'params');
  const body = validate(permissionsBody, request.body, 'body');
  refuseBuiltIn(role);
  await existingRole(ctx, role);
  await ctx.auth.roles.revoke(role, body.permissions);
  return (await existingRole(ctx, role)).permissions;
};

const listPermissions: RouteHandler = async (ctx) => ctx.groups.flatMap((object) => [{ object, action: 'read' }, { object, action: '*' }]);

/** Handlers of the role and permission routes. */
export const roleHandlers = {
  'roles.create': createRole,
  'roles.destroy': destroyRole,
  'roles.get': getRole,
  'roles.list': listRoles,
  'roles.addPermissions': addPermissions,
  'roles.removePermissions': removePermissions,
  'permissions.list': listPermissions,
};

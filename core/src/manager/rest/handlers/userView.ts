/** Loading a user for a response. */
import { createError, ErrorCodes } from '../../../common/errors.js';
import type { RestContext } from '../RestContext.js';
import { userJson } from '../serializers.js';

/** The user `id` in response shape; `D7Y_ERR_NOT_FOUND` when absent. */
export async function serializeUser(ctx: RestContext, id: number) {
  const user = await ctx.auth.users.findById(id);
  if (user === undefined) throw createError(ErrorCodes.NOT_FOUND, `user ${id} not found`);
  return userJson(user);
}

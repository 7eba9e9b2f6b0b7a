/** `GET /healthy`: 200 `{status: "OK"}` when the database answers, 503 otherwise. */
import type { RouteHandler } from '../RestContext.js';

const healthy: RouteHandler = async (ctx) => {
  await ctx.db.ping();
  return { status: 'OK' };
};

/** Handler of the health route. */
export const healthHandlers = { healthy };

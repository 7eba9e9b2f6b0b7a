/** `/api/v1/audits`: the audit trail, newest first, with equality filters. Read-only through the API. */
import { z } from 'zod';

import { limitOffset, paginationQuery, setPaginationHeaders } from '../pagination.js';
import type { RouteHandler } from '../RestContext.js';
import { text } from '../schemas.js';
import { auditJson } from '../serializers.js';
import { validate } from '../validation.js';

const listQuery = z.object({
  ...paginationQuery,
  actor_type: z.enum(['UNKNOWN', 'USER', 'PAT']).optional(),
  actor_name: text(255).optional(),
  operation: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
  state: z.enum(['SUCCESS', 'FAILURE']).optional(),
  path: text(1024).optional(),
});

const listAudits: RouteHandler = async (ctx, request, reply) => {
  const { page, per_page: perPage, ...filter } = validate(listQuery, request.query, 'query');
  const { limit, offset } = limitOffset(page, perPage);
  const { rows, total } = await ctx.auth.audits.list(filter, limit, offset);
  setPaginationHeaders(request, reply, page, perPage, total);
  return rows.map(auditJson);
};

/** Handlers of the audit routes. */
export const auditHandlers = { 'audits.list': listAudits };

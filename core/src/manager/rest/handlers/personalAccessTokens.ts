/**
 * `/api/v1/personal-access-tokens`. A token's value is returned once, by the create call, and never again.
 * Callers see and change their own tokens; an admin of the group sees and changes everyone's. d7y refuses
 * empty `scopes` (Dragonfly treats them as "all scopes"; here a token must name what it is for).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import { createError, ErrorCodes } from '../../../common/errors.js';
import { generatePatToken, patDigest } from '../../auth/patToken.js';
import { PAT_SCOPES, type PatRecord } from '../../auth/PersonalAccessTokenRepository.js';
import { limitOffset, paginationQuery, setPaginationHeaders } from '../pagination.js';
import type { RestContext, RouteHandler } from '../RestContext.js';
import { idParam, text } from '../schemas.js';
import { patJson } from '../serializers.js';
import { validate } from '../validation.js';
import { isGroupAdmin, principalOf } from './principalOf.js';

const GROUP = 'personal-access-tokens';
/** Longest lifetime a token may be given. */
export const MAX_PAT_LIFETIME_MS = 10 * 365 * 24 * 3_600_000;

const scopes = z
  .array(z.enum(PAT_SCOPES))
  .min(1, `name at least one of ${PAT_SCOPES.join(', ')} (empty scopes grant nothing)`)
  .max(PAT_SCOPES.length)
  .refine((list) => new Set(list).size === list.length, 'duplicate scope');
const expiredAt = z.iso
  .datetime({ offset: true, message: 'expected an ISO 8601 date-time' })
  .transform((value) => new Date(value))
  .refine((date) => date.getTime() > Date.now(), 'must be in the future')
  .refine((date) => date.getTime() <= Date.now() + MAX_PAT_LIFETIME_MS, 'at most 10 years ahead');
const createBody = z.object({
  name: z.string().min(1, 'required').max(255, 'at most 255 characters').refine((s) => !s.includes('\0'), 'must not contain NUL'),
  bio: text(1024).optional(),
  scopes,
  state: z.enum(['active', 'inactive']).optional(),
  expired_at: expiredAt,
});
const updateBody = z.object({ bio: text(1024).optional(), scopes: scopes.optional(), state: z.enum(['active', 'inactive']).optional(), expired_at: expiredAt.optional() });
const listQuery = z.object({ ...paginationQuery, state: z.enum(['active', 'inactive']).optional(), user_id: z.string().regex(/^[1-9][0-9]{0,15}$/, 'expected a positive integer').transform(Number).optional() });

/** The token `id` if the caller may see it (own, or admin); 404 otherwise, so others' ids are not revealed. */
async function visibleToken(ctx: RestContext, request: FastifyRequest, id: number): Promise<PatRecord> {
  const principal = principalOf(request);
  const record = await ctx.auth.pats.findById(id, isGroupAdmin(principal, GROUP) ? undefined : principal.userId);
  if (record === undefined) throw createError(ErrorCodes.NOT_FOUND, `personal access token ${id} not found`);
  return record;
}

const createToken: RouteHandler = async (ctx, request) => {
  const body = validate(createBody, request.body, 'body');
  const principal = principalOf(request);
  const token = generatePatToken();
  const id = await ctx.auth.pats.create({
    name: body.name,
    bio: body.bio ?? '',
    tokenHmac: patDigest(ctx.auth.patKey, token),
    scopes: body.scopes,
    state: body.state ?? 'active',
    expiredAt: body.expired_at,
    userId: principal.userId,
  });
  const record = await ctx.auth.pats.findById(id);
  return { ...patJson(record!), token };
};

const destroyToken: RouteHandler = async (ctx, request) => {
  const record = await visibleToken(ctx, request, validate(idParam, request.params, 'params').id);
  await ctx.auth.pats.delete(record.id);
  return {};
};

const updateToken: RouteHandler = async (ctx, request) => {
  const record = await visibleToken(ctx, request, validate(idParam, request.params, 'params').id);
  await ctx.auth.pats.update(record.id, validate(updateBody, request.body, 'body'));
  return patJson((await ctx.auth.pats.findById(record.id))!);
};

const getToken: RouteHandler = async (ctx, request) => patJson(await visibleToken(ctx, request, validate(idParam, request.params, 'params').id));

const listTokens: RouteHandler = async (ctx, request, reply) => {
  const { page, per_page: perPage, state, user_id: userId } = validate(listQuery, request.query, 'query');
  const principal = principalOf(request);
  const owner = isGroupAdmin(principal, GROUP) ? userId : principal.userId;
  const { limit, offset } = limitOffset(page, perPage);
  const { rows, total } = await ctx.auth.pats.list({ userId: owner, state }, limit, offset);
  setPaginationHeaders(request, reply, page, perPage, total);
  return rows.map(patJson);
};

/** Handlers of the personal access token routes. */
export const personalAccessTokenHandlers = {
  'personal-access-tokens.create': createToken,
  'personal-access-tokens.destroy': destroyToken,
  'personal-access-tokens.update': updateToken,
  'personal-access-tokens.get': getToken,
  'personal-access-tokens.list': listTokens,
};

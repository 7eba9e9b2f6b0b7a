/**
 * CRUD handlers for the control-plane tables (`/api/v1/scheduler-clusters`, `/schedulers`,
 * `/seed-peer-clusters`, `/seed-peers`, `/peers`, `/applications`, `/configs`), built on the repositories in
 * `../../models`. The repositories validate every field (unknown keys and bad values are 422 naming the
 * field); this layer validates ids, pagination and the types of query filters, and stamps `user_id` with
 * the caller on resources that carry one.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import { createError, ErrorCodes } from '../../../common/errors.js';
import { createRepositories, type BaseRecord, type Repositories, type Table } from '../../models/index.js';
import { paginationQuery, setPaginationHeaders } from '../pagination.js';
import type { RestContext, RouteHandler } from '../RestContext.js';
import { idParam } from '../schemas.js';
import { validate } from '../validation.js';
import { principalOf } from './principalOf.js';

type AnyTable = Table<BaseRecord, string>;

/** How one resource maps onto its repository. */
export interface ResourceSpec<G extends string> {
  /** API group, e.g. `schedulers`. */
  readonly group: G;
  readonly repository: (repos: Repositories) => unknown;
  /** Query filters that are integers or booleans (the rest are strings). */
  readonly intFilters?: readonly string[];
  readonly boolFilters?: readonly string[];
  /** Set `user_id` to the caller on create. */
  readonly stampsUser?: boolean;
}

const pagination = z.object(paginationQuery);

/** The JSON object body of a request; 422 for anything else. */
export function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, 'body: expected a JSON object', { details: { field: 'body' } });
  }
  return body as Record<string, unknown>;
}

/** Converts the string query filters to the types the repository expects. */
function typedFilters(spec: ResourceSpec<string>, query: Record<string, unknown>): Record<string, string | number | boolean> {
  const filters: Record<string, string | number | boolean> = {};
  for (const [key, raw] of Object.entries(query)) {
    if (key === 'page' || key === 'per_page') continue;
    if (typeof raw !== 'string') throw createError(ErrorCodes.INVALID_ARGUMENT, `${key}: expected one value`, { details: { field: key } });
    if (spec.intFilters?.includes(key)) {
      if (!/^[0-9]{1,15}$/.test(raw)) throw createError(ErrorCodes.INVALID_ARGUMENT, `${key}: expected a whole number`, { details: { field: key } });
      filters[key] = Number(raw);
    } else if (spec.boolFilters?.includes(key)) {
      if (raw !== 'true' && raw !== 'false') throw createError(ErrorCodes.INVALID_ARGUMENT, `${key}: expected true or false`, { details: { field: key } });
      filters[key] = raw === 'true';
    } else {
      filters[key] = raw;
    }
  }
  return filters;
}

function repositoryOf(ctx: RestContext, spec: ResourceSpec<string>): AnyTable {
  return spec.repository(createRepositories(ctx.db)) as AnyTable;
}

/** The five CRUD handlers of a resource, keyed by route id. */
export function crudHandlers<G extends string>(spec: ResourceSpec<G>): Record<`${G}.${'create' | 'destroy' | 'update' | 'get' | 'list'}`, RouteHandler> {
  const create: RouteHandler = async (ctx, request) => {
    const body = objectBody(request);
    const input = spec.stampsUser ? { ...body, user_id: principalOf(request).userId } : body;
    return repositoryOf(ctx, spec).create(input as never);
  };
  const destroy: RouteHandler = async (ctx, request) => {
    await repositoryOf(ctx, spec).delete(validate(idParam, request.params, 'params').id);
    return {};
  };
  const update: RouteHandler = async (ctx, request) => {
    const { id } = validate(idParam, request.params, 'params');
    const body = objectBody(request);
    if (spec.stampsUser && 'user_id' in body) throw createError(ErrorCodes.INVALID_ARGUMENT, 'user_id: cannot be changed', { details: { field: 'user_id' } });
    return repositoryOf(ctx, spec).update(id, body as never);
  };
  const get: RouteHandler = async (ctx, request) => repositoryOf(ctx, spec).get(validate(idParam, request.params, 'params').id);
  const list: RouteHandler = async (ctx, request, reply) => {
    const { page, per_page: perPage } = validate(pagination, request.query, 'query');
    const result = await repositoryOf(ctx, spec).list({ page, per_page: perPage, filters: typedFilters(spec, request.query as Record<string, unknown>) });
    setPaginationHeaders(request, reply, page, perPage, result.total);
    return result.items;
  };
  return { [`${spec.group}.create`]: create, [`${spec.group}.destroy`]: destroy, [`${spec.group}.update`]: update, [`${spec.group}.get`]: get, [`${spec.group}.list`]: list } as Record<
    `${G}.${'create' | 'destroy' | 'update' | 'get' | 'list'}`,
    RouteHandler
  >;
}

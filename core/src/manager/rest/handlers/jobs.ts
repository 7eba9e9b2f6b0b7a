/**
 * `/api/v1/jobs` (session JWT) and `/oapi/v1/jobs` (personal access token with scope `job`): create, read, list,
 * change the bio, delete. Jobs are answered in Dragonfly's `Job` JSON shape (real-clients.md 1.6–1.7); `args`
 * never carry header values or the registry password.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import { createError, ErrorCodes } from '../../../common/errors.js';
import { createJobService, hostPlatform, JOB_STATES, JOB_TYPES, JobRepository, parseCreateJob, type JobRecord, type JobService } from '../../job/index.js';
import { createRepositories } from '../../models/index.js';
import { paginationQuery, setPaginationHeaders } from '../pagination.js';
import type { RestContext, RouteHandler } from '../RestContext.js';
import { idParam } from '../schemas.js';
import { validate } from '../validation.js';
import { principalOf } from './principalOf.js';

const services = new WeakMap<RestContext, JobService>();

/** The job service of a REST server (built on first use from its database, shared state and config). */
export function jobServiceOf(ctx: RestContext): JobService {
  let service = services.get(ctx);
  if (!service) {
    service = createJobService({ db: ctx.db, sharedState: ctx.sharedState, config: ctx.config, logger: ctx.logger, metrics: ctx.metrics });
    services.set(ctx, service);
  }
  return service;
}

/** A job in Dragonfly's JSON shape, with its clusters. */
export async function jobJson(ctx: RestContext, job: JobRecord) {
  const repos = createRepositories(ctx.db);
  const jobs = new JobRepository(ctx.db);
  const schedulerClusters = (await Promise.all((await jobs.schedulerClusterIdsOf(job.id)).map((id) => repos.schedulerClusters.find(id)))).filter((c) => c !== undefined);
  const seedPeerClusters = (await Promise.all((await jobs.seedPeerClusterIdsOf(job.id)).map((id) => repos.seedPeerClusters.find(id)))).filter((c) => c !== undefined);
  return {
    id: job.id,
    created_at: job.created_at,
    updated_at: job.updated_at,
    is_del: 0,
    task_id: job.task_id,
    bio: job.bio,
    type: job.type,
    state: job.state,
    args: job.args,
    result: job.result,
    user_id: job.user_id,
    seed_peer_clusters: seedPeerClusters,
    scheduler_clusters: schedulerClusters,
  };
}

const listQuery = z.object({
  ...paginationQuery,
  type: z.enum(JOB_TYPES).optional(),
  state: z.enum(JOB_STATES).optional(),
  user_id: z.string().regex(/^[0-9]{1,15}$/, 'expected a whole number').transform(Number).optional(),
});

const updateBody = z.strictObject({ bio: z.string().max(1024, 'at most 1024 characters').refine((s) => !s.includes('\0'), 'must not contain NUL') });

/** Creates a job from a request body (also used by the Harbor legacy route). */
export async function createJob(ctx: RestContext, request: FastifyRequest, body: unknown): Promise<JobRecord> {
  const input = parseCreateJob(body, hostPlatform());
  return jobServiceOf(ctx).create(input, principalOf(request).userId, request.span?.traceparent);
}

const create: RouteHandler = async (ctx, request) => jobJson(ctx, await createJob(ctx, request, request.body));

const get: RouteHandler = async (ctx, request) => jobJson(ctx, await jobServiceOf(ctx).get(validate(idParam, request.params, 'params').id));

const list: RouteHandler = async (ctx, request, reply) => {
  const query = validate(listQuery, request.query, 'query');
  const jobs = new JobRepository(ctx.db);
  const page = await jobs.list({ page: query.page, per_page: query.per_page, filters: { type: query.type, state: query.state, user_id: query.user_id } });
  setPaginationHeaders(request, reply, query.page, query.per_page, page.total);
  const service = jobServiceOf(ctx);
  return Promise.all(page.items.map(async (job) => jobJson(ctx, await service.refresh(job))));
};

const update: RouteHandler = async (ctx, request) => {
  const { id } = validate(idParam, request.params, 'params');
  const body = validate(updateBody, request.body ?? {}, 'body');
  return jobJson(ctx, await new JobRepository(ctx.db).update(id, { bio: body.bio }));
};

const destroy: RouteHandler = async (ctx, request) => {
  await new JobRepository(ctx.db).delete(validate(idParam, request.params, 'params').id);
  return {};
};

/** Handlers of the job routes. */
export const jobHandlers = {
  'jobs.create': create,
  'jobs.destroy': destroy,
  'jobs.update': update,
  'jobs.get': get,
  'jobs.list': list,
  'oapi.jobs.create': create,
  'oapi.jobs.destroy': destroy,
  'oapi.jobs.update': update,
  'oapi.jobs.get': get,
  'oapi.jobs.list': list,
} satisfies Record<string, RouteHandler>;

/** Thrown for an unknown job id in the legacy routes. */
export const legacyNotFound = (id: string) => createError(ErrorCodes.NOT_FOUND, `preheat ${id} not found`);

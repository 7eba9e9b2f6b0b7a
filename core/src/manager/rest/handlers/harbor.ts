/**
 * Harbor's legacy preheat protocol (Harbor v2.0–v2.11, real-clients.md 1.8), which Dragonfly removed in 2026:
 * `GET /_ping`, `POST /preheats` (Harbor's PreheatImage JSON) and `GET /preheats/:id`. A preheat created here is
 * an ordinary job (`/oapi/v1/jobs/:id` shows it); ids are JSON strings as Harbor's client expects.
 * Access: `/_ping` is public; the other two need a personal access token with scope `job` (Harbor's OAuth auth
 * mode), unlike Dragonfly 2.0 which left them open.
 */
import { ErrorCodes, isD7yError } from '../../../common/errors.js';
import type { JobRecord } from '../../job/index.js';
import type { RouteHandler } from '../RestContext.js';
import { objectBody } from './resources.js';
import { createJob, jobServiceOf, legacyNotFound } from './jobs.js';

/** Go's `time.Time.String()` of a date in UTC, as Dragonfly 2.0 sent `startTime`/`finishTime`. */
export function goTimeString(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const ms = date.getUTCMilliseconds();
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ''} +0000 UTC`
  );
}

/** Dragonfly 2.0's status of a job: PENDING -> WAITING, SUCCESS -> SUCCESS, FAILURE -> FAIL. */
export function legacyStatus(job: JobRecord): 'WAITING' | 'SUCCESS' | 'FAIL' {
  return job.state === 'SUCCESS' ? 'SUCCESS' : job.state === 'FAILURE' ? 'FAIL' : 'WAITING';
}

const ping: RouteHandler = async () => ({});

const create: RouteHandler = async (ctx, request) => {
  const body = objectBody(request);
  const job = await createJob(ctx, request, {
    type: 'preheat',
    args: { type: body.type, url: body.url, headers: body.headers, ...(typeof body.scope === 'string' ? { scope: body.scope } : {}) },
    scheduler_cluster_ids: null,
  });
  return { id: String(job.id) };
};

const get: RouteHandler = async (ctx, request) => {
  const raw = (request.params as { id?: string }).id ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) throw legacyNotFound(raw.slice(0, 32));
  let job: JobRecord;
  try {
    job = await jobServiceOf(ctx).get(Number(raw));
  } catch (error) {
    if (isD7yError(error) && error.code === ErrorCodes.NOT_FOUND) throw legacyNotFound(raw);
    throw error;
  }
  const errors = (job.result?.job_states ?? []).map((s) => s.error).filter(Boolean);
  return {
    id: String(job.id),
    status: legacyStatus(job),
    startTime: goTimeString(job.created_at),
    finishTime: job.state === 'PENDING' ? '' : goTimeString(job.updated_at),
    errorMsg: errors.join('; '),
  };
};

/** Handlers of the legacy Harbor routes. */
export const harborHandlers = { 'harbor.ping': ping, 'harbor.createPreheat': create, 'harbor.getPreheat': get } satisfies Record<string, RouteHandler>;

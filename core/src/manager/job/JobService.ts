/**
 * The manager's job service (Dragonfly `manager/job` + `manager/service/job.go`): creates job rows, sends one
 * task per target scheduler to that scheduler's queue in the shared state, collects the outcomes the schedulers
 * report, and keeps each job's group state (`result`) and state (PENDING -> SUCCESS | FAILURE) up to date.
 *
 * Image preheats are resolved here (manifest, platform, token flow) after the job row exists, so that a
 * missing tag or a refused address ends as a FAILURE with the reason instead of a failed POST. Outcomes live
 * in the shared state under `manager:job:<id>:task:<uuid>` (24 h) and are folded into the row on report and
 * on read, so that several manager replicas sharing Redis agree.
 */
import { randomUUID } from 'node:crypto';

import { createError, ErrorCodes } from '../../common/errors.js';
import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import type { DatabaseDriver } from '../../plugin-api/database/DatabaseDriver.js';
import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';
import type { Logger } from '../../plugin-api/Logger.js';
import {
  MAX_SYNCED_HOSTS,
  MAX_TAKE_WAIT_MS,
  schedulerQueueName,
  type JobTaskMessage,
  type JobTaskResult,
  type PreheatTaskArgs,
  type ReportJobTaskRequest,
  type SchedulerIdentity,
  type TakeJobTaskRequest,
  type TakeJobTaskResponse,
  type TaskRefArgs,
} from '../../common/jobs/protocol.js';
import type { ManagerMetrics } from '../metrics/ManagerMetrics.js';
import { createRepositories, type SchedulerRecord } from '../models/index.js';
import { capResult, groupStateOf, withTasks, type GroupResult, type TaskState } from './groupState.js';
import { resolveImage } from './image/resolveImage.js';
import { publicArgs, type CreateJobInput, type PreheatArgs, type TaskRefArgsInput } from './jobArgs.js';
import { JobRepository, type JobRecord } from './JobRepository.js';
import { countPeers, removeUnreportedPeers, storeSyncedPeers } from './peerSync.js';

/** Outcomes kept in the shared state this long. */
const OUTCOME_TTL_MS = 24 * 60 * 60_000;
/** Default jobs per second per scheduler cluster (`job_rate_limit`). */
export const DEFAULT_JOB_RATE_LIMIT = 10;
/** A PENDING job is failed this long after its own timeout passed. */
const TIMEOUT_GRACE_MS = 60_000;

/** What the service needs. */
export interface JobServiceDeps {
  readonly db: DatabaseDriver;
  readonly sharedState: SharedStateBackend;
  readonly egress: EgressPolicy;
  readonly logger: Logger;
  /** Registry requests (`job.preheat`). */
  readonly registry: { readonly timeoutMs: number; readonly insecureSkipVerify: boolean; readonly ca?: string };
  /** A scheduler whose last keep-alive is older than this gets no jobs. */
  readonly staleAfterMs: number;
  /** Peer rows written per batch by sync_peers (`job.syncPeers.batchSize`, 500). */
  readonly peerSyncBatchSize?: number;
  /** Counts job creation (`dragonfly_manager_create_job_total` / `_success_total`). */
  readonly metrics?: Pick<ManagerMetrics, 'createJobTotal' | 'createJobSuccessTotal'>;
  /** Set after each peer sync from the peers table (`dragonfly_manager_peer_total`; `metrics.enablePeerGauge`). */
  readonly peerGauge?: ManagerMetrics['peerTotal'];
}

interface Outcome {
  state: 'SUCCESS' | 'FAILURE';
  error: string;
  results: JobTaskResult[];
}

/** Jobs: create, read, report. */
export class JobService {
  readonly #background = new Set<Promise<void>>();

  constructor(private readonly deps: JobServiceDeps) {}

  get #jobs(): JobRepository {
    return new JobRepository(this.deps.db);
  }

  /**
   * Validates targets and rate limits, stores a PENDING job and starts sending its tasks. `D7Y_ERR_NOT_FOUND`
   * for an unknown cluster, `D7Y_ERR_RESOURCE_EXHAUSTED` (429) over a cluster's `job_rate_limit`,
   * `D7Y_ERR_FAILED_PRECONDITION` when no target cluster has an active scheduler.
   */
  async create(input: CreateJobInput, userId: number, traceparent?: string): Promise<JobRecord> {
    this.deps.metrics?.createJobTotal.inc({ type: input.type });
    const job = await this.#create(input, userId, traceparent);
    this.deps.metrics?.createJobSuccessTotal.inc({ type: input.type });
    return job;
  }

  async #create(input: CreateJobInput, userId: number, traceparent: string | undefined): Promise<JobRecord> {
    const repos = createRepositories(this.deps.db);
    const clusters =
      input.schedulerClusterIds === null
        ? await repos.schedulerClusters.findAll()
        : await Promise.all(
            input.schedulerClusterIds.map(async (id) => {
              const cluster = await repos.schedulerClusters.find(id);
              if (!cluster) throw createError(ErrorCodes.NOT_FOUND, `scheduler_cluster_ids: scheduler cluster ${id} not found`, { details: { field: 'scheduler_cluster_ids' } });
              return cluster;
            }),
          );
    for (const id of input.seedPeerClusterIds) {
      if (!(await repos.seedPeerClusters.find(id))) throw createError(ErrorCodes.NOT_FOUND, `seed_peer_cluster_ids: seed peer cluster ${id} not found`, { details: { field: 'seed_peer_cluster_ids' } });
    }
    for (const cluster of clusters) {
      const raw = (cluster.config as Record<string, unknown>).job_rate_limit;
      const limit = typeof raw === 'number' && raw > 0 ? raw : DEFAULT_JOB_RATE_LIMIT;
      if (!(await this.deps.sharedState.allow(`manager:job-rate-limit:${cluster.id}`, limit, 1000))) {
        throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `rate limit exceeded: scheduler cluster ${cluster.id} accepts ${limit} jobs per second (job_rate_limit)`);
      }
    }
    const targets: SchedulerRecord[] = [];
    for (const cluster of clusters) targets.push(...(await this.#schedulersOf(cluster.id, input.type)));
    if (targets.length === 0) {
      throw createError(
        ErrorCodes.FAILED_PRECONDITION,
        `no active scheduler${input.type === 'preheat' ? ' with the preheat feature' : ''} in scheduler clusters ${clusters.map((c) => c.id).join(', ') || '(none)'}`,
      );
    }
    const now = new Date();
    const tasks: TaskState[] = targets.map((scheduler) => ({
      task_uuid: `task_${randomUUID()}`,
      task_name: input.type,
      state: 'PENDING',
      results: [],
      error: '',
      created_at: now.toISOString(),
      ttl: 0,
      queue: schedulerQueueName(identityOf(scheduler)),
    }));
    const group: GroupResult = { group_uuid: `group_${randomUUID()}`, state: 'PENDING', created_at: now.toISOString(), updated_at: now.toISOString(), job_states: tasks };
    const job = await this.deps.db.transaction(async (tx) => {
      const jobs = new JobRepository(tx);
      const created = await jobs.create({ task_id: group.group_uuid, bio: input.bio, type: input.type, state: 'PENDING', args: publicArgs(input.args), result: group, user_id: userId });
      await jobs.link(created.id, clusters.map((c) => c.id), input.seedPeerClusterIds);
      return created;
    });
    this.#track(this.#dispatch(job, input, targets, tasks, traceparent));
    return job;
  }

  /** The job with its state brought up to date; `D7Y_ERR_NOT_FOUND` when there is none. */
  async get(id: number): Promise<JobRecord> {
    return this.refresh(await this.#jobs.get(id));
  }

  /** Folds reported outcomes into a PENDING job, and fails it once its timeout has passed. */
  async refresh(job: JobRecord, now = Date.now()): Promise<JobRecord> {
    if (job.state !== 'PENDING' || !job.result) return job;
    const tasks: TaskState[] = [];
    for (const task of job.result.job_states) {
      if (task.state !== 'PENDING') {
        tasks.push(task);
        continue;
      }
      const text = await this.deps.sharedState.get(outcomeKey(job.id, task.task_uuid));
      const outcome = text ? (JSON.parse(text) as Partial<Outcome>) : undefined;
      if (outcome?.state === 'SUCCESS' || outcome?.state === 'FAILURE') tasks.push({ ...task, state: outcome.state, error: outcome.error ?? '', results: outcome.results ?? [] });
      else if (now > job.created_at.getTime() + timeoutMsOf(job) + TIMEOUT_GRACE_MS) tasks.push({ ...task, state: 'FAILURE', error: `timed out: ${task.queue ?? 'the scheduler'} reported nothing` });
      else tasks.push(task);
    }
    const changed = tasks.some((task, i) => task.state !== job.result!.job_states[i]!.state);
    if (!changed) return job;
    const group = withTasks(job.result, tasks, new Date(now));
    await this.#jobs.setResult(job.id, group.state, group);
    return { ...job, state: group.state, result: group, updated_at: new Date(now) };
  }

  /** A scheduler's long poll for its next task (`TakeJobTask`). */
  async take(request: TakeJobTaskRequest): Promise<TakeJobTaskResponse> {
    const identity = await this.#knownScheduler(request.scheduler);
    const waitMs = Math.max(0, Math.min(MAX_TAKE_WAIT_MS, Number(request.wait_ms) || 0));
    const text = await this.deps.sharedState.dequeue(schedulerQueueName(identity), waitMs);
    return text ? { task: JSON.parse(text) as JobTaskMessage } : {};
  }

  /** A scheduler reports a task's outcome (`ReportJobTask`); only the scheduler the task was queued for may. */
  async report(request: ReportJobTaskRequest): Promise<void> {
    const identity = await this.#knownScheduler(request.scheduler);
    if (request.state !== 'SUCCESS' && request.state !== 'FAILURE') throw createError(ErrorCodes.INVALID_ARGUMENT, 'state: expected SUCCESS or FAILURE');
    const job = await this.#jobs.get(Number(request.job_id));
    const task = job.result?.job_states.find((t) => t.task_uuid === request.task_uuid);
    if (!task) throw createError(ErrorCodes.NOT_FOUND, `job ${job.id} has no task ${String(request.task_uuid)}`);
    if (task.queue !== schedulerQueueName(identity)) throw createError(ErrorCodes.PERMISSION_DENIED, `task ${task.task_uuid} was not sent to ${schedulerQueueName(identity)}`);
    let result = request.result ? capResult(request.result) : undefined;
    if (job.type === 'sync_peers' && request.state === 'SUCCESS') {
      const hosts = Array.isArray(request.result?.hosts) ? request.result.hosts.slice(0, MAX_SYNCED_HOSTS) : [];
      const stored = await storeSyncedPeers(this.deps.db, identity.scheduler_cluster_id, hosts, this.deps.peerSyncBatchSize ?? 500);
      result = { scheduler_cluster_id: identity.scheduler_cluster_id, synced_peers: stored };
    }
    const outcome: Outcome = { state: request.state, error: String(request.error ?? '').slice(0, 4096), results: result ? [result] : [] };
    await this.deps.sharedState.set(outcomeKey(job.id, task.task_uuid), JSON.stringify(outcome), OUTCOME_TTL_MS);
    const refreshed = await this.refresh(job);
    if (refreshed.type === 'sync_peers' && refreshed.state === 'SUCCESS' && job.state !== 'SUCCESS') {
      // Every scheduler answered: peers of those clusters that none of them reported are gone.
      const clusters = (refreshed.result?.job_states ?? []).flatMap((t) => t.results.map((r) => r.scheduler_cluster_id));
      const removed = await removeUnreportedPeers(this.deps.db, clusters, refreshed.created_at);
      this.deps.logger.info({ jobId: job.id, clusters: [...new Set(clusters)], removed }, 'peers synced');
      if (this.deps.peerGauge) await countPeers(this.deps.db, this.deps.peerGauge);
    }
  }

  /** Waits for background dispatches (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#background]);
  }

  #track(work: Promise<void>): void {
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work));
  }

  async #dispatch(job: JobRecord, input: CreateJobInput, targets: SchedulerRecord[], tasks: TaskState[], traceparent: string | undefined): Promise<void> {
    try {
      const args =
        input.args.kind === 'preheat'
          ? await this.#preheatTaskArgs(input.args)
          : input.args.kind === 'sync_peers'
            ? { timeout_ms: Math.floor(input.args.timeout / 1e6) }
            : taskRefArgs(input.args);
      for (const [i, scheduler] of targets.entries()) {
        const message: JobTaskMessage = {
          task_uuid: tasks[i]!.task_uuid,
          job_id: job.id,
          type: input.type,
          scheduler_cluster_id: scheduler.scheduler_cluster_id,
          args,
          ...(traceparent ? { traceparent } : {}),
        };
        await this.deps.sharedState.enqueue(tasks[i]!.queue!, JSON.stringify(message));
      }
      this.deps.logger.info({ jobId: job.id, type: input.type, queues: tasks.map((t) => t.queue) }, 'job tasks queued');
    } catch (error) {
      const reason = (error as Error).message;
      this.deps.logger.warn({ jobId: job.id, err: reason }, 'job failed before reaching a scheduler');
      const failed = tasks.map((task) => ({ ...task, state: 'FAILURE' as const, error: `${input.type} failed: ${reason}` }));
      const group = withTasks(job.result!, failed);
      await this.#jobs.setResult(job.id, groupStateOf(failed), group).catch((e: unknown) => this.deps.logger.error({ jobId: job.id, err: e }, 'cannot store job failure'));
    }
  }

  async #preheatTaskArgs(args: PreheatArgs): Promise<PreheatTaskArgs> {
    let urls = args.type === 'file' ? [...(args.url ? [args.url] : []), ...args.urls] : [];
    let headers = { ...args.headers };
    if (args.type === 'image') {
      const resolved = await resolveImage(
        { url: args.url, headers: args.headers, platform: args.platform, ...(args.username ? { credentials: { username: args.username, password: args.password } } : {}) },
        { egress: this.deps.egress, timeoutMs: this.deps.registry.timeoutMs, insecureSkipVerify: this.deps.registry.insecureSkipVerify, ...(this.deps.registry.ca ? { ca: this.deps.registry.ca } : {}) },
      );
      urls = resolved.urls;
      headers = resolved.headers;
    } else {
      for (const url of urls) this.deps.egress.checkUrl(new URL(url));
    }
    return {
      urls,
      headers,
      tag: args.tag,
      application: args.application,
      filtered_query_params: args.filtered_query_params.split('&').filter(Boolean),
      ...(args.piece_length !== undefined ? { piece_length: args.piece_length } : {}),
      scope: args.scope,
      ips: args.ips,
      ...(args.count !== undefined ? { count: args.count } : {}),
      ...(args.percentage !== undefined ? { percentage: args.percentage } : {}),
      concurrent_task_count: args.concurrent_task_count,
      concurrent_peer_count: args.concurrent_peer_count,
      timeout_ms: Math.floor(args.timeout / 1e6),
    };
  }

  /** Preheat goes to the first live scheduler with the `preheat` feature of a cluster; lookups and evictions to every live one. */
  async #schedulersOf(clusterId: number, type: string): Promise<SchedulerRecord[]> {
    const repos = createRepositories(this.deps.db);
    const fresh = Date.now() - this.deps.staleAfterMs;
    const live = (await repos.schedulers.findAll({ scheduler_cluster_id: clusterId, state: 'active' })).filter(
      (s) => s.last_keep_alive_at !== null && s.last_keep_alive_at.getTime() >= fresh,
    );
    if (type !== 'preheat') return live;
    const first = live.find((s) => s.features.includes('preheat'));
    return first ? [first] : [];
  }

  async #knownScheduler(raw: SchedulerIdentity | undefined): Promise<SchedulerIdentity> {
    const identity = { hostname: String(raw?.hostname ?? ''), ip: String(raw?.ip ?? ''), scheduler_cluster_id: Number(raw?.scheduler_cluster_id) };
    const scheduler = await createRepositories(this.deps.db).schedulers.findByKey({ host_name: identity.hostname, ip: identity.ip, scheduler_cluster_id: identity.scheduler_cluster_id });
    if (!scheduler) throw createError(ErrorCodes.NOT_FOUND, `scheduler ${identity.hostname} ${identity.ip} in cluster ${identity.scheduler_cluster_id} is not registered`);
    return identity;
  }
}

function identityOf(scheduler: SchedulerRecord): SchedulerIdentity {
  return { hostname: scheduler.host_name, ip: scheduler.ip, scheduler_cluster_id: scheduler.scheduler_cluster_id };
}

function outcomeKey(jobId: number, taskUuid: string): string {
  return `manager:job:${jobId}:task:${taskUuid}`;
}

function taskRefArgs(args: TaskRefArgsInput): TaskRefArgs {
  return {
    task_id: args.task_id,
    url: args.url,
    tag: args.tag,
    application: args.application,
    filtered_query_params: args.filtered_query_params.split('&').filter(Boolean),
    concurrent_peer_count: args.concurrent_peer_count,
    timeout_ms: Math.floor(args.timeout / 1e6),
  };
}

function timeoutMsOf(job: JobRecord): number {
  const timeout = Number(job.args.timeout);
  return Number.isFinite(timeout) && timeout > 0 ? timeout / 1e6 : 60 * 60_000;
}

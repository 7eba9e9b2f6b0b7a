/**
 * The scheduler's job worker (Dragonfly `scheduler/job`): long-polls the manager for tasks queued for this
 * scheduler (`TakeJobTask`, queue `scheduler_<clusterID>_<hostname>_<ip>`), runs up to `concurrency` at once
 * (preheat, get_task, delete_task, sync_peers) and reports each outcome (`ReportJobTask`). A report that fails is retried a
 * few times; a manager that is down is retried with backoff until the worker stops.
 */
import type { ChannelCredentials, Client } from '@grpc/grpc-js';
import { grpcChannelOptions } from '@d7y/proto';

import { JobsClient } from '../../common/jobs/jobsService.js';
import type { JobTaskMessage, PreheatTaskArgs, ReportJobTaskRequest, SchedulerIdentity, TakeJobTaskResponse, TaskRefArgs } from '../../common/jobs/protocol.js';
import { Tracing, TRACEPARENT, traceparentOf } from '../../common/tracing/Tracing.js';
import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { Resource } from '../resource/Resource.js';
import { runSyncPeers } from './syncPeers.js';
import { HostCalls } from './hostCalls.js';
import { runPreheat, type TaskOutcome } from './preheat.js';
import { runDeleteTask, runGetTask } from './taskLookup.js';

/** How long one TakeJobTask waits on the manager. */
const TAKE_WAIT_MS = 5000;
const REPORT_ATTEMPTS = 5;

/** What the worker needs. */
export interface JobWorkerOptions {
  readonly managerAddr: string;
  readonly credentials: ChannelCredentials;
  readonly identity: SchedulerIdentity;
  readonly resource: Resource;
  readonly egress: EgressPolicy;
  readonly logger: Logger;
  /** Tasks run at once (default 8). */
  readonly concurrency?: number;
  /** Credentials for dialling hosts' upload services (insecure unless `seedPeer.tls`). */
  readonly hostCredentials?: ChannelCredentials;
  /** Tracing: one span per task, continuing the trace of the request that created the job. */
  readonly tracing?: Tracing;
}

type Unary = (request: unknown, options: { deadline: number }, callback: (error: Error | null, response?: unknown) => void) => void;
type JobsStub = Client & Record<'TakeJobTask' | 'ReportJobTask', Unary>;

/** Takes, runs and reports job tasks. */
export class JobWorker {
  readonly #client: JobsStub;
  readonly #calls: HostCalls;
  readonly #running = new Set<Promise<void>>();
  #stopped = false;
  /** Aborted when `stop` runs out of grace: running preheat downloads are cancelled. */
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Resolves when `stop()` is called, so a loop waiting for a free slot gives up at once. */
  readonly #stopping: Promise<void>;
  #signalStop!: () => void;

  constructor(private readonly options: JobWorkerOptions) {
    this.#client = new JobsClient(options.managerAddr, options.credentials, grpcChannelOptions()) as unknown as JobsStub;
    this.#calls = new HostCalls(options.hostCredentials);
    this.#stopping = new Promise((resolve) => (this.#signalStop = resolve));
  }

  /** Starts polling. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops polling and waits up to `graceMs` for running tasks; downloads still running then are cancelled, so
   * their tasks end as FAILURE and are reported, and the stop stays bounded. Closes the clients last.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopped = true;
    this.#signalStop();
    this.#wake?.();
    await this.#loop;
    const running = Promise.allSettled([...this.#running]);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([running.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]);
    clearTimeout(timer);
    if (!finished) {
      this.options.logger.warn({ tasks: this.#running.size, graceMs }, 'job tasks still running at stop; cancelling their downloads');
      this.#abort.abort();
      await running;
    }
    this.#client.close();
    this.#calls.close();
  }

  async #run(): Promise<void> {
    const limit = this.options.concurrency ?? 8;
    let backoff = 500;
    while (!this.#stopped) {
      if (this.#running.size >= limit) {
        await Promise.race([...this.#running, this.#stopping]);
        continue;
      }
      let response: TakeJobTaskResponse;
      try {
        response = (await this.#call('TakeJobTask', { scheduler: this.options.identity, wait_ms: TAKE_WAIT_MS }, TAKE_WAIT_MS + 10_000)) as TakeJobTaskResponse;
        backoff = 500;
      } catch (error) {
        if (this.#stopped) break;
        this.options.logger.debug({ err: (error as Error).message }, 'cannot take job tasks from the manager; retrying');
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
        continue;
      }
      if (response.task) {
        const work = this.#handle(response.task);
        this.#running.add(work);
        void work.finally(() => this.#running.delete(work));
      }
    }
  }

  async #handle(task: JobTaskMessage): Promise<void> {
    const { logger, identity } = this.options;
    logger.info({ taskUuid: task.task_uuid, jobId: task.job_id, type: task.type }, 'job task started');
    const traceparent = typeof task.traceparent === 'string' ? traceparentOf({ [TRACEPARENT]: task.traceparent }) : undefined;
    const span = (this.options.tracing ?? Tracing.off()).startSpan(`scheduler.Job.${String(task.type)}`, traceparent, { 'd7y.job_id': task.job_id }, 'server');
    let outcome: TaskOutcome;
    try {
      outcome = await this.#execute(task, span.traceparent);
    } catch (error) {
      outcome = { state: 'FAILURE', error: `${task.type} failed: ${(error as Error).message}`, result: { scheduler_cluster_id: identity.scheduler_cluster_id } };
    }
    span.end(outcome.state === 'FAILURE' ? outcome.error : undefined);
    logger.info({ taskUuid: task.task_uuid, jobId: task.job_id, state: outcome.state, error: outcome.error || undefined }, 'job task finished');
    const report: ReportJobTaskRequest = { scheduler: identity, task_uuid: task.task_uuid, job_id: task.job_id, state: outcome.state, error: outcome.error, result: outcome.result };
    const attempts = this.#stopped ? 1 : REPORT_ATTEMPTS;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.#call('ReportJobTask', report, 10_000);
        return;
      } catch (error) {
        logger.warn({ taskUuid: task.task_uuid, attempt, err: (error as Error).message }, 'cannot report a job task outcome');
        await this.#sleep(1000 * attempt);
      }
    }
  }

  async #execute(task: JobTaskMessage, traceparent: string | undefined): Promise<TaskOutcome> {
    const { resource, egress, identity } = this.options;
    const deps = { calls: this.#calls, egress, schedulerClusterId: identity.scheduler_cluster_id, signal: this.#abort.signal, traceparent };
    switch (task.type) {
      case 'preheat':
        return runPreheat({ ...deps, hosts: resource.hosts }, task.args as PreheatTaskArgs);
      case 'get_task':
        return runGetTask({ ...deps, resource }, task.args as TaskRefArgs);
      case 'delete_task':
        return runDeleteTask({ ...deps, resource }, task.args as TaskRefArgs);
      case 'sync_peers':
        return runSyncPeers({ hosts: resource.hosts, schedulerClusterId: identity.scheduler_cluster_id });
      default:
        return { state: 'FAILURE', error: `unknown job type ${String((task as { type: unknown }).type)}`, result: { scheduler_cluster_id: identity.scheduler_cluster_id } };
    }
  }

  #call(method: 'TakeJobTask' | 'ReportJobTask', request: unknown, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#client[method](request, { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

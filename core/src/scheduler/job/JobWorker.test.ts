import { type sendUnaryData, Server, ServerCredentials, type ServerUnaryCall, type ServerWritableStream, credentials } from '@grpc/grpc-js';
import { loadProtos } from '@d7y/proto';
import { afterEach, describe, expect, it } from 'vitest';

import { World } from '../../../../test/helpers/schedulerKit.js';
import { createEgressPolicy } from '../../common/egress/EgressPolicyImpl.js';
import { JOBS_SERVICE } from '../../common/jobs/jobsService.js';
import type { JobTaskMessage, ReportJobTaskRequest, TakeJobTaskRequest } from '../../common/jobs/protocol.js';
import { silentLogger } from '../../common/logging.js';
import { JobWorker } from './JobWorker.js';

const identity = { hostname: 'sched-test', ip: '127.0.0.1', scheduler_cluster_id: 1 };

/** A manager's Jobs service that hands out `tasks` once each and records the reports. */
function jobsManager(tasks: JobTaskMessage[]) {
  const reports: ReportJobTaskRequest[] = [];
  const handlers = {
    TakeJobTask: (call: ServerUnaryCall<TakeJobTaskRequest, unknown>, callback: sendUnaryData<unknown>) => {
      const task = tasks.shift();
      if (task) callback(null, { task });
      else setTimeout(() => callback(null, {}), Math.min(call.request.wait_ms, 100));
    },
    ReportJobTask: (call: ServerUnaryCall<ReportJobTaskRequest, unknown>, callback: sendUnaryData<unknown>) => {
      reports.push(call.request);
      callback(null, {});
    },
  };
  return { reports, handlers };
}

/** A seed peer's upload service whose DownloadTask never answers (a download that takes forever). */
const neverEndingUpload = {
  DownloadTask: (call: ServerWritableStream<unknown, unknown>) => {
    neverEndingUpload.calls += 1;
    call.on('cancelled', () => (neverEndingUpload.cancelled += 1));
  },
  calls: 0,
  cancelled: 0,
};

async function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))));
}

const preheatTask = (uuid: string): JobTaskMessage => ({
  task_uuid: uuid,
  job_id: 7,
  type: 'preheat',
  scheduler_cluster_id: 1,
  args: {
    urls: ['http://127.0.0.1:1/big.bin'],
    headers: {},
    tag: '',
    application: '',
    filtered_query_params: [],
    scope: 'single_seed_peer',
    ips: [],
    concurrent_task_count: 1,
    concurrent_peer_count: 1,
    timeout_ms: 60 * 60_000,
  },
});

describe('JobWorker', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.forceShutdown();
  });

  /** A manager's Jobs service on a port, handing out `tasks`. */
  async function startManager(tasks: JobTaskMessage[]) {
    const manager = jobsManager(tasks);
    const server = new Server();
    server.addService(JOBS_SERVICE, manager.handlers as never);
    const port = await listen(server);
    servers.push(server);
    return { reports: manager.reports, port };
  }

  /** A seed peer's upload service on a port whose DownloadTask is `handler`. */
  async function startUpload(handler: (call: ServerWritableStream<unknown, unknown>) => void): Promise<number> {
    const server = new Server();
    server.addService(loadProtos().dfdaemon.v2.DfdaemonUpload.service, { DownloadTask: handler });
    servers.push(server);
    return listen(server);
  }

  const workerFor = (world: World, managerPort: number, concurrency?: number) =>
    new JobWorker({ managerAddr: `127.0.0.1:${managerPort}`, credentials: credentials.createInsecure(), identity, resource: world.resource, egress: createEgressPolicy({}), logger: silentLogger(), concurrency });

  it('stops within its grace period while a preheat download hangs: the download is cancelled and the task reported FAILURE', async () => {
    const uploadPort = await startUpload(neverEndingUpload.DownloadTask);
    const manager = await startManager([preheatTask('task_hanging')]);
    const world = new World();
    world.host('seed-1', { seed: true, port: uploadPort });
    const worker = workerFor(world, manager.port);
    worker.start();
    await expect.poll(() => neverEndingUpload.calls, { timeout: 10_000 }).toBe(1); // the seed peer is downloading

    const started = Date.now();
    await worker.stop(300);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(manager.reports).toHaveLength(1);
    expect(manager.reports[0]).toMatchObject({ task_uuid: 'task_hanging', job_id: 7, state: 'FAILURE' });
    expect(manager.reports[0]!.error).toMatch(/cancelled: the scheduler stopped before the host finished/);
    await expect.poll(() => neverEndingUpload.cancelled).toBe(1);
  });

  it('runs at most `concurrency` tasks at once (job.localWorkerNum)', async () => {
    let calls = 0;
    const uploadPort = await startUpload(() => void calls++);
    const manager = await startManager([preheatTask('task_1'), preheatTask('task_2'), preheatTask('task_3')]);
    const world = new World();
    world.host('seed-1', { seed: true, port: uploadPort });
    const worker = workerFor(world, manager.port, 2);
    worker.start();
    await expect.poll(() => calls, { timeout: 10_000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(calls).toBe(2); // the third task waits for a free worker
    await worker.stop(100);
  });

  it('sync_peers reports the normal hosts it knows, not seed peers', async () => {
    const manager = await startManager([{ task_uuid: 'task_sync', job_id: 9, type: 'sync_peers', scheduler_cluster_id: 1, args: { timeout_ms: 60_000 } }]);
    const world = new World();
    world.host('seed-1', { seed: true });
    world.host('peer-a', { idc: 'idc-a', port: 4100, downloadPort: 4101 });
    world.host('peer-b');
    const worker = workerFor(world, manager.port);
    worker.start();
    await expect.poll(() => manager.reports.length, { timeout: 10_000 }).toBe(1);
    await worker.stop(100);
    const [report] = manager.reports;
    expect(report).toMatchObject({ task_uuid: 'task_sync', state: 'SUCCESS', result: { scheduler_cluster_id: 1 } });
    expect(report!.result.hosts!.map((h) => h.hostname).sort()).toEqual(['peer-a', 'peer-b']);
    expect(report!.result.hosts!.find((h) => h.hostname === 'peer-a')).toMatchObject({ type: 'normal', idc: 'idc-a', port: 4100, download_port: 4101 });
  });
});

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkHealth } from '../../core/src/common/health/healthClient.js';
import { metricValue } from '../helpers/metrics.js';
import { OPS_PAT, startOpsCluster, type OpsCluster } from '../helpers/opsCluster.js';
import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { dfget, httpBody, tempDir } from '../helpers/processes.js';

const MiB = 1024 * 1024;
const SIZE = 12 * MiB;

describe('operations: every role exposes metrics that move with a download, and gRPC health', () => {
  const origin = new TestOrigin();
  const files = tempDir('ops-origin');
  const out = tempDir('ops-out');
  let digest = '';
  let cluster: OpsCluster;

  beforeAll(async () => {
    digest = writeRandomFile(join(files, 'blob.bin'), SIZE);
    await origin.start();
    origin.route('/blob.bin', { kind: 'file', path: join(files, 'blob.bin') });
    cluster = await startOpsCluster('ops');
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
    await origin.stop();
  });

  it('answers grpc.health.v1 Check with SERVING on the manager, the scheduler and the dfdaemon upload server', async () => {
    for (const addr of [cluster.manager.addr, cluster.scheduler.addr, `127.0.0.1:${cluster.peers[0]!.ports.upload}`]) {
      expect(await checkHealth(addr), addr).toEqual({ ok: true, status: 'SERVING' });
    }
    expect(await checkHealth(cluster.scheduler.addr, 'scheduler.v2.Scheduler')).toEqual({ ok: true, status: 'SERVING' });
    expect(await checkHealth(cluster.manager.addr, 'manager.v2.Manager')).toEqual({ ok: true, status: 'SERVING' });
    expect(await checkHealth(`unix://${cluster.peers[0]!.socketPath}`, 'dfdaemon.v2.DfdaemonDownload')).toEqual({ ok: true, status: 'SERVING' });
    const unknown = await checkHealth(cluster.scheduler.addr, 'no.such.Service');
    expect(unknown).toMatchObject({ ok: false, code: 5 });
  });

  it('counters move on the scheduler, the seed peer, the peer and the manager after one download', async () => {
    const peer = cluster.peers[0]!;
    const before = {
      scheduler: await httpBody(cluster.schedulerMetricsPort, '/metrics'),
      manager: await httpBody(cluster.managerMetricsPort, '/metrics'),
    };
    // The daemons asked the manager for their schedulers while starting.
    expect(metricValue(before.manager, 'dragonfly_manager_search_scheduler_cluster_total')).toBeGreaterThan(0);
    expect(metricValue(before.scheduler, 'dragonfly_scheduler_register_peer_total') ?? 0).toBe(0);

    const output = join(out, 'blob.bin');
    const result = await dfget([origin.url('/blob.bin'), '-O', output, '-e', peer.socketPath, '--digest', `sha256:${digest}`, '--console'], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(createHash('sha256').update(readFileSync(output)).digest('hex')).toBe(digest);

    const scheduler = await httpBody(cluster.schedulerMetricsPort, '/metrics');
    expect(metricValue(scheduler, 'dragonfly_scheduler_announce_host_total')).toBeGreaterThan(0);
    expect(metricValue(scheduler, 'dragonfly_scheduler_announce_peer_total')).toBeGreaterThanOrEqual(2);
    expect(metricValue(scheduler, 'dragonfly_scheduler_register_peer_total')).toBeGreaterThanOrEqual(2);
    expect(metricValue(scheduler, 'dragonfly_scheduler_download_peer_finished_total')).toBeGreaterThanOrEqual(2);
    expect(metricValue(scheduler, 'dragonfly_scheduler_download_peer_duration_milliseconds_count')).toBeGreaterThanOrEqual(2);
    expect(metricValue(scheduler, 'dragonfly_scheduler_traffic', { type: 'back_to_source' })).toBe(SIZE);
    expect(metricValue(scheduler, 'dragonfly_scheduler_traffic', { type: 'remote_peer' })).toBe(SIZE);
    expect(metricValue(scheduler, 'dragonfly_scheduler_trigger_seed_peer_total')).toBeGreaterThanOrEqual(1);
    expect(metricValue(scheduler, 'dragonfly_scheduler_version')).toBe(1);
    expect(metricValue(scheduler, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metricValue(scheduler, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    const seed = await cluster.seed.metrics();
    expect(metricValue(seed, 'dragonfly_client_download_traffic', { type: 'back_to_source' })).toBe(SIZE);
    expect(metricValue(seed, 'dragonfly_client_upload_traffic')).toBe(SIZE);
    expect(metricValue(seed, 'dragonfly_client_backend_request_total', { scheme: 'http', method: 'GET' })).toBeGreaterThan(0);
    expect(metricValue(seed, 'dragonfly_client_backend_request_duration_milliseconds_count', { scheme: 'http' })).toBeGreaterThan(0);
    expect(metricValue(seed, 'dragonfly_client_disk_space_total')).toBeGreaterThan(0);
    expect(metricValue(seed, 'dragonfly_client_disk_usage_space_total')).toBeGreaterThan(0);

    const daemon = await peer.metrics();
    expect(metricValue(daemon, 'dragonfly_client_download_task_total')).toBe(1);
    expect(metricValue(daemon, 'dragonfly_client_download_task_failure_total') ?? 0).toBe(0);
    expect(metricValue(daemon, 'dragonfly_client_download_traffic', { type: 'remote_peer' })).toBe(SIZE);
    expect(metricValue(daemon, 'dragonfly_client_download_traffic', { type: 'back_to_source' }) ?? 0).toBe(0);
    expect(metricValue(daemon, 'dragonfly_client_download_task_duration_milliseconds_count')).toBe(1);
    expect(metricValue(daemon, 'dragonfly_client_download_piece_duration_milliseconds_count', { type: 'remote_peer' })).toBeGreaterThan(0);
    expect(metricValue(daemon, 'dragonfly_client_concurrent_download_task_total')).toBe(0);
    expect(metricValue(daemon, 'dragonfly_client_concurrent_upload_piece_total')).toBe(0);
    expect(metricValue(daemon, 'dragonfly_client_version')).toBe(1);
    expect(metricValue(daemon, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const job = await fetch(`http://127.0.0.1:${cluster.manager.restPort}/oapi/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPS_PAT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'get_task', args: { url: 'http://127.0.0.1:1/nothing.bin' } }),
    });
    expect(job.status, await job.text()).toBe(200);
    const manager = await httpBody(cluster.managerMetricsPort, '/metrics');
    expect(metricValue(manager, 'dragonfly_manager_create_job_total', { type: 'get_task' })).toBe(1);
    expect(metricValue(manager, 'dragonfly_manager_create_job_success_total', { type: 'get_task' })).toBe(1);
    expect(metricValue(manager, 'dragonfly_manager_version')).toBe(1);
    expect(metricValue(manager, 'dragonfly_manager_grpc_request_total', { method: 'KeepAlive' }) ?? metricValue(manager, 'dragonfly_manager_grpc_request_total')).toBeGreaterThan(0);
    expect(metricValue(manager, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  }, 90_000);
});

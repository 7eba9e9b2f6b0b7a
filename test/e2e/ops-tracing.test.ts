import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OPS_PAT, startOpsCluster, type OpsCluster } from '../helpers/opsCluster.js';
import { OtlpCollector, type CollectedSpan } from '../helpers/otlpCollector.js';
import { TestOrigin, writeRandomFile } from '../helpers/origin.js';
import { dfget, tempDir } from '../helpers/processes.js';

const MiB = 1024 * 1024;

describe('tracing: one download traced across dfget, dfdaemon, scheduler and seed peer', () => {
  const origin = new TestOrigin();
  const collector = new OtlpCollector();
  const files = tempDir('trace-origin');
  const out = tempDir('trace-out');
  let digest = '';
  let cluster: OpsCluster;

  beforeAll(async () => {
    digest = writeRandomFile(join(files, 'blob.bin'), 8 * MiB);
    await origin.start();
    origin.route('/blob.bin', { kind: 'file', path: join(files, 'blob.bin') });
    await collector.start();
    const tracing = { tracing: { protocol: 'http', endpoint: collector.endpoint } };
    cluster = await startOpsCluster('trace', { manager: tracing, scheduler: tracing, seed: tracing, peer: tracing });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
    await origin.stop();
    await collector.stop();
  });

  it('exports spans of every hop to an OTLP/HTTP collector, linked parent to child through gRPC metadata', async () => {
    const result = await dfget([origin.url('/blob.bin'), '-O', join(out, 'blob.bin'), '-e', cluster.peers[0]!.socketPath, '--digest', `sha256:${digest}`], {
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://${collector.endpoint}/v1/traces` },
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);

    const root = collector.spans.find((span) => span.service === 'dfget');
    expect(root, 'dfget flushes its span before exiting').toBeDefined();
    expect(root!.parentSpanId).toBe('');
    const inTrace = () => collector.spans.filter((span) => span.traceId === root!.traceId);
    const deadline = Date.now() + 15_000;
    const wanted = ['dfget', 'dragonfly-client', 'dragonfly-scheduler', 'dragonfly-seed-client'];
    while (Date.now() < deadline && !wanted.every((service) => inTrace().some((span) => span.service === service && span.name !== 'scheduler.AnnouncePeer'))) {
      await new Promise((r) => setTimeout(r, 200));
    }
    // The daemon's and the seed's AnnouncePeer streams end with their downloads; wait for both scheduler spans.
    while (Date.now() < deadline && inTrace().filter((span) => span.name === 'scheduler.AnnouncePeer').length < 2) await new Promise((r) => setTimeout(r, 200));

    const spans = inTrace();
    const one = (service: string, name: string): CollectedSpan => {
      const found = spans.filter((span) => span.service === service && span.name === name);
      expect(found.map((span) => `${span.service}/${span.name}`), JSON.stringify(spans.map((s) => [s.service, s.name]))).toHaveLength(1);
      return found[0]!;
    };
    const peerDownload = one('dragonfly-client', 'dfdaemon.DownloadTask');
    expect(peerDownload.parentSpanId).toBe(root!.spanId);
    expect(peerDownload.attributes['d7y.task_id']).toMatch(/^[0-9a-f]{64}$/);
    const announces = spans.filter((span) => span.service === 'dragonfly-scheduler' && span.name === 'scheduler.AnnouncePeer');
    const peerAnnounce = announces.find((span) => span.parentSpanId === peerDownload.spanId);
    expect(peerAnnounce, 'the scheduler continues the peer download trace').toBeDefined();
    const trigger = one('dragonfly-scheduler', 'scheduler.TriggerSeedPeer');
    expect(trigger.parentSpanId).toBe(peerAnnounce!.spanId);
    const seedDownload = one('dragonfly-seed-client', 'dfdaemon.DownloadTask');
    expect(seedDownload.parentSpanId).toBe(trigger.spanId);
    expect(seedDownload.attributes['d7y.task_id']).toBe(peerDownload.attributes['d7y.task_id']);
    expect(announces.some((span) => span.parentSpanId === seedDownload.spanId), 'the seed peer announces within the same trace').toBe(true);
  }, 60_000);

  it('traces a preheat from the REST call through the manager, the scheduler job and the seed peer download', async () => {
    const created = await fetch(`http://127.0.0.1:${cluster.manager.restPort}/oapi/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPS_PAT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'preheat', args: { type: 'file', url: origin.url('/blob.bin?preheat=traced') } }),
    });
    const job = (await created.json()) as { id: number };
    expect(created.status).toBe(200);
    const deadline = Date.now() + 30_000;
    const rest = () => collector.spans.find((span) => span.service === 'dragonfly-manager' && span.name === 'manager.REST POST /oapi/v1/jobs');
    const jobSpan = () => collector.spans.find((span) => span.service === 'dragonfly-scheduler' && span.name === 'scheduler.Job.preheat' && span.traceId === rest()?.traceId);
    const seedDownload = () => collector.spans.find((span) => span.service === 'dragonfly-seed-client' && span.name === 'dfdaemon.DownloadTask' && span.parentSpanId === jobSpan()?.spanId);
    while (Date.now() < deadline && !(rest() && jobSpan() && seedDownload())) await new Promise((r) => setTimeout(r, 200));
    expect(rest(), 'the manager exports its REST span').toBeDefined();
    expect(rest()!.parentSpanId).toBe('');
    expect(jobSpan(), 'the scheduler continues the trace the job carried').toBeDefined();
    expect(jobSpan()!.parentSpanId).toBe(rest()!.spanId);
    expect(jobSpan()!.attributes['d7y.job_id']).toBe(job.id);
    expect(seedDownload(), 'the seed peer downloads within the same trace').toBeDefined();
  }, 60_000);

  it('is off by default: a download without tracing config or environment exports nothing', async () => {
    const before = collector.spans.length;
    const plain = await startOpsCluster('trace-off');
    try {
      const result = await dfget([origin.url('/blob.bin'), '-O', join(out, 'plain.bin'), '-e', plain.peers[0]!.socketPath, '--digest', `sha256:${digest}`], { timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await plain.stop();
    }
    expect(collector.spans.length).toBe(before);
  }, 90_000);
});

/**
 * The ml and custom evaluators through the real binaries: `d7y train` on records, `d7y scheduler` with
 * `algorithm: ml` (and its refusals), `d7y records export` from a running scheduler, the example evaluator
 * copied into an empty pluginDir, and `d7y evaluate`. Records are made by the scheduler's own recorder:
 * decisions between hosts whose observed upload rates differ, with piece costs that follow the rates.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { parse } from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { DownloadRecorder } from '../../core/src/scheduler/records/DownloadRecorder.js';
import type { EvaluatorPeer } from '../../core/src/plugin-api/scheduling/Evaluator.js';
import { unloadableModelBytes } from '../../plugins/scheduler-ml/test/fixtures.js';
import { BIN, REPO, runNode, SchedulerProcess, tempDir } from '../helpers/processes.js';

const EXAMPLE = join(REPO, 'examples/evaluator-fastest-uploader.js');
const MiB = 1024 * 1024;

/** A Running normal peer on a host that has uploaded at `rate` bytes/s, as the scheduler's views carry it. */
function view(id: string, rate: number, state: EvaluatorPeer['state'] = 'Running'): EvaluatorPeer {
  return {
    id, state, finishedPieceCount: 8, pieceCosts: [],
    host: { id: `${id}-h`, type: 'normal', hostname: id, ip: '10.0.0.2', idc: '', location: '', maxTxBandwidth: 8e8, txBandwidth: 0, uploadContentLength: 0,
      concurrentUploadLimit: 200, concurrentUploadCount: 1, concurrentUploadPieceCount: 0, uploadCount: 10, uploadFailedCount: 0, uploadPieceRate: rate },
  };
}

/** 120 decisions of one child between a fast and a slow host, in random order; pieces take 4 MiB / rate. */
function recordsFile(dir: string): string {
  const recorder = new DownloadRecorder({ decisionCapacity: 1000, pieceCapacity: 10_000 });
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 120; i++) {
    const child = { ...view(`child-${i}`, 0, 'ReceivedNormal'), finishedPieceCount: 0 };
    const fast = view(`fast-${i}`, 10 * MiB * (0.8 + random() * 0.4));
    const slow = view(`slow-${i}`, 2 * MiB * (0.8 + random() * 0.4));
    const candidates = random() < 0.5 ? [fast, slow] : [slow, fast];
    const key = {};
    recorder.decided(key, 'task', child, candidates, candidates.map((c) => c.id), 16);
    for (const parent of candidates) {
      for (let k = 0; k < 3; k++) recorder.pieceFinished(key, 'task', child.id, parent.id, 4 * MiB, ((4 * MiB) / parent.host.uploadPieceRate!) * 1000 * (0.9 + random() * 0.2));
    }
  }
  const path = join(dir, 'records.ndjson');
  writeFileSync(path, recorder.toNdjson());
  return path;
}

const started: SchedulerProcess[] = [];
async function scheduler(name: string, config: Record<string, unknown>): Promise<SchedulerProcess> {
  const s = await SchedulerProcess.create(name, config);
  started.push(s);
  await s.start();
  return s;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

describe('ml evaluator and custom evaluators, end to end through the CLI', () => {
  const dir = tempDir('ml-cli');
  let records: string;
  beforeAll(() => {
    records = recordsFile(dir);
  });

  it('d7y train writes an ONNX model and metadata, reports held-out error and the default ranking, and onnxruntime agrees', async () => {
    const out = join(dir, 'model.onnx');
    const result = await runNode(BIN.d7y, ['train', '--records', records, '--out', out, '--epochs', '60']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/validation RMSE \d+\.\d+ \(predicting the mean: \d+\.\d+\)/);
    const pairs = /model orders ([\d.]+)% like the observed throughput, default evaluator ([\d.]+)%/.exec(result.stdout);
    expect(Number(pairs?.[1])).toBeGreaterThan(95);
    expect(Number(pairs?.[2])).toBeLessThan(80);
    const deviation = /reproduces the trained model within ([\d.e+-]+)/.exec(result.stdout);
    expect(Number(deviation?.[1])).toBeLessThan(1e-5);
    expect(JSON.parse(readFileSync(join(dir, 'model.meta.json'), 'utf8'))).toMatchObject({ format: 'd7y-evaluator-model', featuresVersion: 1 });
  });

  it('a scheduler with algorithm ml loads the model, and serves its records for d7y records export', async () => {
    const model = join(dir, 'model.onnx');
    expect(existsSync(model)).toBe(true);
    const s = await scheduler('ml-ok', { scheduler: { algorithm: 'ml', records: { enable: true } }, plugins: { evaluator: { ml: { model } } } });
    await s.waitForLog(/ml evaluator model loaded/);
    const metrics = (parse(readFileSync(s.configPath, 'utf8')) as { metrics: { addr: string } }).metrics.addr;
    const exported = join(dir, 'exported.ndjson');
    const result = await runNode(BIN.d7y, ['records', 'export', '--scheduler', metrics, '--out', exported]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/exported 0 decisions and 0 piece records/);
    expect(JSON.parse(readFileSync(exported, 'utf8').split('\n')[0])).toMatchObject({ type: 'header', format: 'd7y-download-records' });
  });

  it.each([
    ['a missing model', (d: string) => join(d, 'absent.onnx'), /absent.onnx cannot be read \(ENOENT\); train one with d7y train/],
    ['a corrupt model', (d: string) => {
      copyFileSync(join(dir, 'model.meta.json'), join(d, 'bad.meta.json'));
      writeFileSync(join(d, 'bad.onnx'), readFileSync(join(dir, 'model.onnx')).subarray(0, 50));
      return join(d, 'bad.onnx');
    }, /bad.onnx is not an ONNX model/],
    ['a model whose metadata names other features', (d: string) => {
      const meta = JSON.parse(readFileSync(join(dir, 'model.meta.json'), 'utf8')) as { features: string[] };
      meta.features[3] = 'rtt';
      writeFileSync(join(d, 'old.meta.json'), JSON.stringify(meta));
      copyFileSync(join(dir, 'model.onnx'), join(d, 'old.onnx'));
      return join(d, 'old.onnx');
    }, /feature list does not match this scheduler's .* first difference at #3: 'rtt' vs 'location_affinity'/],
    ['a model onnxruntime cannot load (checked in open(), before the port is bound)', (d: string) => {
      copyFileSync(join(dir, 'model.meta.json'), join(d, 'odd.meta.json'));
      writeFileSync(join(d, 'odd.onnx'), unloadableModelBytes());
      return join(d, 'odd.onnx');
    }, /onnxruntime cannot load ml evaluator model .*odd.onnx: .*NoSuchOperator/],
  ])('a scheduler with algorithm ml refuses to start with %s, saying why', async (_name, make, message) => {
    const model = make(tempDir('ml-bad'));
    const s = await SchedulerProcess.create('ml-bad', { scheduler: { algorithm: 'ml' }, plugins: { evaluator: { ml: { model } } } });
    started.push(s);
    await expect(s.start()).rejects.toThrow(message);
  });

  it('the example evaluator, copied into an empty pluginDir, runs the scheduler with algorithm plugin', async () => {
    const pluginDir = tempDir('evaluator-example');
    copyFileSync(EXAMPLE, join(pluginDir, 'd7y-scheduler-plugin-evaluator.js'));
    const s = await scheduler('example-evaluator', { server: { pluginDir }, scheduler: { algorithm: 'plugin' }, plugins: { evaluator: { 'fastest-uploader': { seedPenalty: 0.5 } } } });
    await s.waitForLog(/ranking parents by observed upload rate/);
    await s.waitForLog(/"algorithm":"plugin"/);
  });

  it('d7y evaluate compares the example with the default evaluator on the recorded decisions', async () => {
    const result = await runNode(BIN.d7y, ['evaluate', '--records', records, '--plugin', EXAMPLE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^fastest-uploader vs default on 120 of 120 recorded decisions:/);
    expect(result.stdout).toMatch(/pair order right: fastest-uploader 100\.0%, default \d+\.\d%/);
  });

  it('the example type-checks against the public plugin API (JSDoc, tsc --checkJs)', async () => {
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const args = ['--noEmit', '--allowJs', '--checkJs', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', EXAMPLE];
    const result = await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: REPO }).catch((error: { stdout?: string; code?: number }) => error);
    expect((result as { stdout?: string }).stdout ?? '').toBe('');
  });
});

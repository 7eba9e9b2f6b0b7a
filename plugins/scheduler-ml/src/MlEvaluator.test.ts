import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { metadata, oneFeatureModel, peer, RATE_FEATURE, tempDir, unloadableModelBytes, writeModel } from '../test/fixtures.js';
import plugin from './index.js';
import { MlEvaluator } from './MlEvaluator.js';
import { encodeMlp } from './onnx/encodeMlp.js';

const open: MlEvaluator[] = [];
async function evaluator(modelPath: string, reloadIntervalMs = 0): Promise<MlEvaluator> {
  const e = new MlEvaluator({ modelPath, reloadIntervalMs });
  open.push(e);
  await e.open();
  return e;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

const child = peer('child', 0, { state: 'ReceivedNormal', finishedPieceCount: 0 });
const candidates = [peer('slow', 1e6), peer('unknown', 0), peer('fast', 50e6), peer('mid', 8e6)];
const ids = (list: readonly { id: string }[]) => list.map((p) => p.id);

describe('MlEvaluator: ranking and batching', () => {
  it('ranks candidates by the model output, best first', async () => {
    const e = await evaluator(writeModel(tempDir(), oneFeatureModel(RATE_FEATURE, 1)));
    expect(ids(await e.evaluateParents(candidates, child, 16))).toEqual(['fast', 'mid', 'slow', 'unknown']);
  });

  it('scores every candidate of a decision in one inference', async () => {
    const e = await evaluator(writeModel(tempDir(), oneFeatureModel(RATE_FEATURE, 1)));
    await e.evaluateParents(candidates, child, 16);
    expect(e.stats()).toMatchObject({ decisions: 1, rows: 4 });
    await e.evaluateParents(candidates.slice(0, 2), child, 16);
    expect(e.stats()).toMatchObject({ decisions: 2, rows: 6 });
    expect(e.stats().p99Ms).toBeGreaterThan(0);
  });

  it('keeps the input order among equal scores and returns nothing for no candidates', async () => {
    const e = await evaluator(writeModel(tempDir(), oneFeatureModel(RATE_FEATURE, 1)));
    const same = [peer('a', 2e6), peer('b', 2e6), peer('c', 2e6)];
    expect(ids(await e.evaluateParents(same, child, 16))).toEqual(['a', 'b', 'c']);
    expect(await e.evaluateParents([], child, 16)).toEqual([]);
  });

  it('keeps the default bad-parent rule', async () => {
    const e = await evaluator(writeModel(tempDir(), oneFeatureModel(RATE_FEATURE, 1)));
    expect(e.isBadParent(peer('p', 1, { state: 'Pending' }))).toBe(true);
    expect(e.isBadParent(peer('p', 1, { pieceCosts: [10, 10, 10, 900] }))).toBe(true);
    expect(e.isBadParent(peer('p', 1, { pieceCosts: [10, 12, 11] }))).toBe(false);
  });
});

describe('MlEvaluator: reload', () => {
  it('picks up a new model when the file changes, and keeps the old one when the new one is bad', async () => {
    const dir = tempDir();
    const path = writeModel(dir, oneFeatureModel(RATE_FEATURE, 1));
    const e = await evaluator(path, 20);
    expect(e.generation).toBe(1);
    writeModel(dir, oneFeatureModel(RATE_FEATURE, -1));
    await expect.poll(() => e.generation, { timeout: 5000, interval: 20 }).toBe(2);
    expect(ids(await e.evaluateParents(candidates, child, 16))).toEqual(['unknown', 'slow', 'mid', 'fast']);

    writeFileSync(path, 'not a model');
    await expect.poll(() => e.lastReloadError, { timeout: 5000, interval: 20 }).toMatch(/is not an ONNX model/);
    expect(e.generation).toBe(2);
    expect(ids(await e.evaluateParents(candidates, child, 16))).toEqual(['unknown', 'slow', 'mid', 'fast']);
  });

  it('reload() swaps the model while inferences run on the previous one', async () => {
    const dir = tempDir();
    const e = await evaluator(writeModel(dir, oneFeatureModel(RATE_FEATURE, 1)));
    const running = Array.from({ length: 20 }, () => e.evaluateParents(candidates, child, 16));
    writeModel(dir, oneFeatureModel(RATE_FEATURE, -1));
    expect(await e.reload()).toBe(true);
    await Promise.all(running);
    expect(ids(await e.evaluateParents(candidates, child, 16))[0]).toBe('unknown');
  });
});

describe('MlEvaluator: refuses a bad model at start-up', () => {
  const refused = (make: (dir: string) => string, pattern: RegExp, code = 'D7Y_ERR_PLUGIN_CONFIG') => {
    const dir = tempDir();
    const path = make(dir);
    expect(() => new MlEvaluator({ modelPath: path })).toThrow(expect.objectContaining({ code, message: expect.stringMatching(pattern) }));
  };

  it('a missing model file', () => refused((dir) => join(dir, 'none.onnx'), /ml evaluator model .*none.onnx cannot be read \(ENOENT\); train one with d7y train/));

  it('a missing metadata file', () =>
    refused((dir) => {
      const path = writeModel(dir, oneFeatureModel(RATE_FEATURE, 1));
      rmSync(join(dir, 'model.meta.json'));
      return path;
    }, /model metadata .*model.meta.json cannot be read \(ENOENT\)/));

  it('a corrupt model file', () =>
    refused((dir) => {
      const path = writeModel(dir, oneFeatureModel(RATE_FEATURE, 1));
      writeFileSync(path, readFileSync(path).subarray(0, 40));
      return path;
    }, /model.onnx is not an ONNX model/, 'D7Y_ERR_DATA_CORRUPTED'));

  it('metadata naming other features', () =>
    refused((dir) => writeModel(dir, oneFeatureModel(RATE_FEATURE, 1), metadata({ features: [...metadata().features.slice(0, 15), 'peer_rtt'] })), /feature list does not match this scheduler's \(16 vs 16 features; first difference at #15: 'peer_rtt' vs 'parent_succeeded'\)/));

  it('metadata of another features version', () =>
    refused((dir) => writeModel(dir, oneFeatureModel(RATE_FEATURE, 1), metadata({ featuresVersion: 9 })), /trained on features version 9, this scheduler computes version 1/));

  it('a model whose input does not take the metadata features', () =>
    refused((dir) => {
      const path = writeModel(dir, oneFeatureModel(0, 1));
      writeFileSync(path, encodeMlp(oneFeatureModel(0, 1, 12)));
      return path;
    }, /does not match its metadata: input 'features' has shape \[N, 12\], metadata names 16 features/));

  it('a model onnxruntime cannot load fails open(), which the scheduler awaits before serving', async () => {
    const dir = tempDir();
    const path = writeModel(dir, oneFeatureModel(RATE_FEATURE, 1));
    writeFileSync(path, unloadableModelBytes());
    const e = new MlEvaluator({ modelPath: path, reloadIntervalMs: 0 });
    await expect(e.open()).rejects.toThrow(expect.objectContaining({ code: 'D7Y_ERR_DATA_CORRUPTED', message: expect.stringMatching(/^onnxruntime cannot load ml evaluator model .*model.onnx: .*NoSuchOperator/) }));
    await e.close();
  });

  it('algorithm ml without plugins.evaluator.ml.model', async () => {
    let factory: (() => unknown) | undefined;
    const container = { register: (_t: unknown, p: { useFactory: () => unknown }) => void (factory = p.useFactory), resolve: () => undefined, isRegistered: () => false };
    const parsed = plugin.configSchema!.safeParse({});
    if (!parsed.success) throw new Error('rejected');
    await plugin.register({ container: container as never, config: parsed.data, logger: console as never, egress: {} as never, role: 'scheduler' });
    expect(() => factory!()).toThrow(/scheduler.algorithm is ml but plugins.evaluator.ml.model is not set/);
  });

  it('its config schema rejects unknown keys and bad values', () => {
    const result = plugin.configSchema!.safeParse({ model: '', reloadInterval: -1, modle: 'x' });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((i) => i.path.join('.'))).toEqual(['modle', 'model', 'reloadInterval']);
  });
});

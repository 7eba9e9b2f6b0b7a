import { describe, expect, it } from 'vitest';

import { PARENT_FEATURE_NAMES, type EvaluatorPeer } from '@d7y/core/plugin-api';

import { F, peer, RATE_FEATURE } from '../../test/fixtures.js';
import { predict } from '../model/Mlp.js';
import { datasetOf, pieceTarget, rmse, splitByDecision } from './dataset.js';
import { seededRandom } from './random.js';
import { trainFromRecords } from './trainFromRecords.js';
import { trainMlp } from './trainMlp.js';
import type { RecordedDecision, RecordedPiece } from './types.js';

/** y = 3·x₀ − 2·x₁ + sin(3·x₂) + noise over 16 features in [0, 1). */
function synthetic(n: number, seed: number) {
  const r = seededRandom(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: F }, () => r()));
  const y = x.map((row) => 3 * row[0] - 2 * row[1] + Math.sin(3 * row[2]) + (r() - 0.5) * 0.1);
  return { x, y };
}

describe('trainMlp', () => {
  it('fits a synthetic nonlinear relation: held-out error far below predicting the mean', () => {
    const train = synthetic(800, 1);
    const test = synthetic(200, 2);
    const model = trainMlp(train, { epochs: 60, seed: 5 });
    const mean = train.y.reduce((a, b) => a + b, 0) / train.y.length;
    const modelError = rmse(predict(model, test.x), test.y);
    const baseline = rmse(test.y.map(() => mean), test.y);
    expect(modelError).toBeLessThan(0.15);
    expect(modelError).toBeLessThan(baseline / 5);
  });

  it('is deterministic for a seed', () => {
    const data = synthetic(100, 3);
    expect(trainMlp(data, { epochs: 3, seed: 9 })).toEqual(trainMlp(data, { epochs: 3, seed: 9 }));
  });
});

describe('dataset', () => {
  it('the target is log1p(bytes per ms); failures score 0', () => {
    expect(pieceTarget({ bytes: 4000, costMs: 4, success: true })).toBeCloseTo(Math.log1p(1000));
    expect(pieceTarget({ bytes: 4000, costMs: 0, success: true })).toBeCloseTo(Math.log1p(4000));
    expect(pieceTarget({ bytes: 0, costMs: 0, success: false })).toBe(0);
  });

  it('splits by decision: the pieces of one decision stay on one side', () => {
    const pieces = Array.from({ length: 1000 }, (_, i) => ({ decisionId: i % 100 }));
    const { train, test } = splitByDecision(pieces, 0.2);
    const testIds = new Set(test.map((p) => p.decisionId));
    expect(train.some((p) => testIds.has(p.decisionId))).toBe(false);
    expect(testIds.size).toBeGreaterThan(5);
    expect(testIds.size).toBeLessThan(40);
  });
});

describe('trainFromRecords', () => {
  /**
   * Decisions between a fast and a slow parent whose hosts have different observed upload rates; the
   * default evaluator cannot tell them apart (equal load), the recorded outcomes follow the rate.
   */
  function records(decisions: number): { decisions: RecordedDecision[]; pieces: RecordedPiece[] } {
    const r = seededRandom(11);
    const out = { decisions: [] as RecordedDecision[], pieces: [] as RecordedPiece[] };
    for (let id = 1; id <= decisions; id++) {
      const child: EvaluatorPeer = peer('child', 0, { state: 'ReceivedNormal', finishedPieceCount: 0 });
      const fastRate = 8e6 + r() * 4e6, slowRate = 1e6 + r() * 1e6;
      const [a, b] = r() < 0.5 ? [peer('slow', slowRate), peer('fast', fastRate)] : [peer('fast', fastRate), peer('slow', slowRate)];
      out.decisions.push({ id, totalPieceCount: 16, child, candidates: [a, b], chosen: [a.id, b.id] });
      for (const parent of [a, b]) {
        const rate = parent.host.uploadPieceRate!;
        const features = Array.from({ length: F }, (_, f) => (f === RATE_FEATURE ? Math.log1p(rate / 1048576) / 5 : f === 9 ? 0.25 : 0));
        for (let k = 0; k < 3; k++) out.pieces.push({ decisionId: id, parentId: parent.id, features, bytes: 4194304, costMs: (4194304 / rate) * 1000 * (0.9 + r() * 0.2), success: true });
      }
    }
    return out;
  }

  it('reports held-out error and ranks better than the default evaluator when the signal is learnable', async () => {
    const { decisions, pieces } = records(150);
    const { report, metadata, parameters } = await trainFromRecords({ features: PARENT_FEATURE_NAMES, featuresVersion: 1, decisions, pieces }, { epochs: 40 });
    expect(report.validationRows).toBeGreaterThan(0);
    expect(report.validationRows + report.trainRows).toBe(pieces.length);
    expect(report.validationRmse).toBeLessThan(report.baselineRmse / 2);
    expect(report.ranking.pairs).toBeGreaterThan(10);
    expect(report.ranking.modelPairAccuracy).toBeGreaterThan(0.95);
    expect(report.ranking.defaultPairAccuracy).toBeLessThan(0.8);
    expect(metadata).toMatchObject({ format: 'd7y-evaluator-model', featuresVersion: 1, features: PARENT_FEATURE_NAMES, input: 'features', output: 'score' });
    expect(parameters.featureCount).toBe(F);
    expect(datasetOf(pieces).x).toHaveLength(pieces.length);
  });

  it('refuses records with another feature list, or too few pieces', async () => {
    const { decisions, pieces } = records(20);
    await expect(trainFromRecords({ features: ['a'], featuresVersion: 1, decisions, pieces })).rejects.toThrow(/records use features version 1 \(1 features\)/);
    await expect(trainFromRecords({ features: PARENT_FEATURE_NAMES, featuresVersion: 1, decisions, pieces: pieces.slice(0, 3) })).rejects.toThrow(/only 3 piece records/);
  });
});

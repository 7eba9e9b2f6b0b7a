import { createError, ErrorCodes, PARENT_FEATURE_NAMES, PARENT_FEATURES_VERSION } from '@d7y/core/plugin-api';
import { DefaultEvaluator } from '@d7y/plugin-scheduler-default';

import { MODEL_INPUT, MODEL_OUTPUT } from '../onnx/encodeMlp.js';
import { MODEL_METADATA_FORMAT, MODEL_METADATA_VERSION, type ModelMetadata } from '../model/metadata.js';
import { predict, predictRow, type MlpParameters } from '../model/Mlp.js';
import { datasetOf, rmse, splitByDecision, TARGET_DESCRIPTION } from './dataset.js';
import { compareRankings, type RankingComparison } from './rankingReport.js';
import { trainMlp, type TrainOptions } from './trainMlp.js';
import type { TrainingRecords } from './types.js';

/** What `trainFromRecords` measured. */
export interface TrainingReport {
  readonly pieces: number;
  readonly trainRows: number;
  readonly validationRows: number;
  /** RMSE of the target on the held-out pieces: the model, and predicting the training mean. */
  readonly validationRmse: number;
  readonly baselineRmse: number;
  readonly trainRmse: number;
  /** The model against the default evaluator's ranking, on held-out decisions. */
  readonly ranking: RankingComparison;
}

/** A trained model with its metadata and report. */
export interface TrainingResult {
  readonly parameters: MlpParameters;
  readonly metadata: ModelMetadata;
  readonly report: TrainingReport;
}

/** Options of `trainFromRecords`. */
export interface TrainFromRecordsOptions extends TrainOptions {
  /** Share of decisions held out for validation (default 0.2). */
  readonly holdout?: number;
}

/**
 * Trains the ml evaluator's model on download records: checks that the records use this scheduler's
 * features, holds out a share of decisions, fits the MLP on the rest, and reports the held-out error and
 * how the model's ranking compares with the default evaluator's on the held-out decisions.
 * Throws when the feature list differs or there are fewer than 10 piece records.
 */
export async function trainFromRecords(records: TrainingRecords, options: TrainFromRecordsOptions = {}): Promise<TrainingResult> {
  const names = PARENT_FEATURE_NAMES;
  if (records.featuresVersion !== PARENT_FEATURES_VERSION || records.features.length !== names.length || records.features.some((n, i) => n !== names[i])) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `records use features version ${records.featuresVersion} (${records.features.length} features); this trainer needs version ${PARENT_FEATURES_VERSION} (${names.length})`);
  }
  if (records.pieces.length < 10) throw createError(ErrorCodes.INVALID_ARGUMENT, `only ${records.pieces.length} piece records; at least 10 are needed to train`);
  let { train, test } = splitByDecision(records.pieces, options.holdout ?? 0.2);
  if (train.length === 0 || test.length === 0) ({ train, test } = { train: [...records.pieces], test: [...records.pieces] });
  const trainSet = datasetOf(train);
  const testSet = datasetOf(test);
  const parameters = trainMlp(trainSet, options);
  const meanY = trainSet.y.reduce((a, b) => a + b, 0) / trainSet.y.length;
  const heldOut = new Set(test.map((p) => p.decisionId));
  const defaultEvaluator = new DefaultEvaluator();
  const ranking = await compareRankings(
    records.decisions.filter((d) => heldOut.has(d.id)),
    test,
    (features) => predictRow(parameters, features),
    (candidates, child, total) => defaultEvaluator.evaluateParents(candidates, child, total),
  );
  const report: TrainingReport = {
    pieces: records.pieces.length,
    trainRows: train.length,
    validationRows: test.length,
    validationRmse: rmse(predict(parameters, testSet.x), testSet.y),
    baselineRmse: rmse(testSet.y.map(() => meanY), testSet.y),
    trainRmse: rmse(predict(parameters, trainSet.x), trainSet.y),
    ranking,
  };
  const metadata: ModelMetadata = {
    format: MODEL_METADATA_FORMAT,
    version: MODEL_METADATA_VERSION,
    featuresVersion: PARENT_FEATURES_VERSION,
    features: [...names],
    input: MODEL_INPUT,
    output: MODEL_OUTPUT,
    target: TARGET_DESCRIPTION,
    model: { kind: 'mlp-tanh', hidden: parameters.hidden },
    trainedAt: new Date().toISOString(),
    training: report,
  };
  return { parameters, metadata, report };
}

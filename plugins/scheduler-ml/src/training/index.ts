/**
 * The trainer behind `d7y train`: fits the ml evaluator's model on download records and writes it as ONNX.
 * @packageDocumentation
 */
export { trainFromRecords, type TrainFromRecordsOptions, type TrainingReport, type TrainingResult } from './trainFromRecords.js';
export { writeModelFiles } from './writeModel.js';
export { maxOnnxDeviation } from './verifyModel.js';
export { compareRankings, type RankingComparison, type Ranker } from './rankingReport.js';
export { datasetOf, pieceTarget, rmse, splitByDecision, TARGET_DESCRIPTION, type Dataset } from './dataset.js';
export { trainMlp, type TrainOptions } from './trainMlp.js';
export type { RecordedDecision, RecordedPiece, TrainingRecords } from './types.js';
export { encodeMlp, MODEL_INPUT, MODEL_OUTPUT } from '../onnx/encodeMlp.js';
export { predict, predictRow, type MlpParameters } from '../model/Mlp.js';

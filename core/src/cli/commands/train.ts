import { readFileSync } from 'node:fs';

import { createError, ErrorCodes } from '../../common/errors.js';
import { parseRecords } from '../../scheduler/records/parseRecords.js';

/** The parts of `@d7y/plugin-scheduler-ml/training` this command uses (imported at run time: core does not depend on plugins). */
interface TrainingModule {
  trainFromRecords(records: unknown, options: Record<string, number | undefined>): Promise<{ parameters: { featureCount: number }; metadata: object; report: TrainingReport }>;
  writeModelFiles(path: string, parameters: unknown, metadata: object): { modelPath: string; metadataPath: string; bytes: Uint8Array };
  maxOnnxDeviation(bytes: Uint8Array, parameters: unknown, rows: readonly (readonly number[])[]): Promise<number>;
}
interface TrainingReport {
  pieces: number;
  trainRows: number;
  validationRows: number;
  validationRmse: number;
  baselineRmse: number;
  trainRmse: number;
  ranking: { decisions: number; pairs: number; modelPairAccuracy: number; defaultPairAccuracy: number; modelTop1Target: number; defaultTop1Target: number };
}

const TRAINING_MODULE = '@d7y/plugin-scheduler-ml/training';
const num = (value: string | undefined, flag: string) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw createError(ErrorCodes.INVALID_ARGUMENT, `${flag} must be a number >= 0, got ${JSON.stringify(value)}`);
  return n;
};
const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/**
 * `d7y train --records FILE --out model.onnx`: fits the ml evaluator's model on exported download records,
 * prints the held-out error and the comparison with the default evaluator's ranking, writes the ONNX model and
 * its metadata (`model.meta.json`), and checks that onnxruntime reproduces the trained model's predictions.
 */
export async function trainCommand(flags: { records: string; out: string; hidden?: string; epochs?: string; holdout?: string; seed?: string }): Promise<void> {
  let training: TrainingModule;
  try {
    training = (await import(TRAINING_MODULE)) as TrainingModule;
  } catch (err) {
    throw createError(ErrorCodes.PLUGIN_LOAD, `d7y train needs the ml plugin package (${TRAINING_MODULE}): ${(err as Error).message}`, { cause: err });
  }
  let text: string;
  try {
    text = readFileSync(flags.records, 'utf8');
  } catch (err) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `cannot read records ${flags.records}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed = parseRecords(text, flags.records);
  const holdout = num(flags.holdout, '--holdout');
  if (holdout !== undefined && !(holdout > 0 && holdout < 1)) throw createError(ErrorCodes.INVALID_ARGUMENT, '--holdout must be between 0 and 1');
  const records = { features: parsed.header.features, featuresVersion: parsed.header.featuresVersion, decisions: parsed.decisions, pieces: parsed.pieces };
  let result: Awaited<ReturnType<TrainingModule['trainFromRecords']>>;
  try {
    result = await training.trainFromRecords(records, { hidden: num(flags.hidden, '--hidden'), epochs: num(flags.epochs, '--epochs'), holdout, seed: num(flags.seed, '--seed') });
  } catch (err) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `cannot train on ${flags.records}: ${(err as Error).message}`, { cause: err });
  }
  const written = training.writeModelFiles(flags.out, result.parameters, result.metadata);
  const deviation = await training.maxOnnxDeviation(written.bytes, result.parameters, parsed.pieces.slice(0, 1000).map((p) => p.features));
  const { report: r } = result;
  const out = process.stdout;
  out.write(`trained on ${r.trainRows} pieces, validated on ${r.validationRows} held-out pieces (split by decision) from ${flags.records}\n`);
  out.write(`  target log1p(bytes/ms): validation RMSE ${f(r.validationRmse)} (predicting the mean: ${f(r.baselineRmse)}), training RMSE ${f(r.trainRmse)}\n`);
  out.write(
    `  ranking on ${r.ranking.decisions} held-out decisions, ${r.ranking.pairs} parent pairs: model orders ${f(r.ranking.modelPairAccuracy * 100, 1)}% like the observed throughput, ` +
      `default evaluator ${f(r.ranking.defaultPairAccuracy * 100, 1)}%; first choice's observed target: model ${f(r.ranking.modelTop1Target)}, default ${f(r.ranking.defaultTop1Target)}\n`,
  );
  out.write(`  onnxruntime reproduces the trained model within ${deviation.toExponential(2)}\n`);
  out.write(`wrote ${written.modelPath} (${written.bytes.length} bytes) and ${written.metadataPath}\n`);
}

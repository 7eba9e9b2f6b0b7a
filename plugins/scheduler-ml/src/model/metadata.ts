import { readFileSync } from 'node:fs';

import { createError, ErrorCodes, PARENT_FEATURE_NAMES, PARENT_FEATURES_VERSION } from '@d7y/core/plugin-api';

/** Value of `format` in a model's metadata file. */
export const MODEL_METADATA_FORMAT = 'd7y-evaluator-model';
/** Version of the metadata layout. */
export const MODEL_METADATA_VERSION = 1;

/** The metadata JSON written beside every model (`<model>.meta.json`). */
export interface ModelMetadata {
  readonly format: typeof MODEL_METADATA_FORMAT;
  readonly version: number;
  /** `PARENT_FEATURES_VERSION` and `PARENT_FEATURE_NAMES` the model was trained with, in input order. */
  readonly featuresVersion: number;
  readonly features: readonly string[];
  /** Graph input (`[N, features.length]`) and output (`[N, 1]`, higher is better) names. */
  readonly input: string;
  readonly output: string;
  /** What the output predicts. */
  readonly target: string;
  readonly model: { readonly kind: string; readonly hidden: number };
  readonly trainedAt: string;
  /** The trainer's report (validation errors, ranking comparison). */
  readonly training?: unknown;
}

/** `model.onnx` → `model.meta.json` (any other name gets `.meta.json` appended). */
export function metadataPathFor(modelPath: string): string {
  return /\.onnx$/i.test(modelPath) ? modelPath.replace(/\.onnx$/i, '.meta.json') : `${modelPath}.meta.json`;
}

/**
 * Reads and checks a model's metadata: the format, and the feature version and names against the ones this
 * scheduler computes. Missing file, bad JSON or a mismatch is `D7Y_ERR_PLUGIN_CONFIG` naming the file and
 * what differs.
 */
export function readModelMetadata(path: string): ModelMetadata {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw createError(ErrorCodes.PLUGIN_CONFIG, `model metadata ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); d7y train writes it beside the model`, { cause: err });
  }
  let value: Partial<ModelMetadata>;
  try {
    value = JSON.parse(text) as Partial<ModelMetadata>;
  } catch (err) {
    throw createError(ErrorCodes.PLUGIN_CONFIG, `model metadata ${path} is not JSON (${(err as Error).message})`, { cause: err });
  }
  if (value?.format !== MODEL_METADATA_FORMAT) throw createError(ErrorCodes.PLUGIN_CONFIG, `model metadata ${path}: format must be '${MODEL_METADATA_FORMAT}'`);
  if (typeof value.input !== 'string' || typeof value.output !== 'string' || !Array.isArray(value.features)) {
    throw createError(ErrorCodes.PLUGIN_CONFIG, `model metadata ${path}: needs input, output and features`);
  }
  if (value.featuresVersion !== PARENT_FEATURES_VERSION) {
    throw createError(ErrorCodes.PLUGIN_CONFIG, `model metadata ${path}: trained on features version ${value.featuresVersion}, this scheduler computes version ${PARENT_FEATURES_VERSION}; retrain with d7y train`);
  }
  const expected = PARENT_FEATURE_NAMES;
  const differs = value.features.length !== expected.length || value.features.some((name, i) => name !== expected[i]);
  if (differs) {
    const at = value.features.findIndex((name, i) => name !== expected[i]);
    throw createError(
      ErrorCodes.PLUGIN_CONFIG,
      `model metadata ${path}: feature list does not match this scheduler's (${value.features.length} vs ${expected.length} features; first difference at #${at}: '${value.features[at] ?? '(none)'}' vs '${expected[at] ?? '(none)'}'); retrain with d7y train`,
    );
  }
  return value as ModelMetadata;
}

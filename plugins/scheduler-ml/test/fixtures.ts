/** Test helpers: hand-made models written with the real writer, and evaluator views. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PARENT_FEATURE_NAMES, type EvaluatorHost, type EvaluatorPeer } from '@d7y/core/plugin-api';

import { MODEL_METADATA_FORMAT, MODEL_METADATA_VERSION, type ModelMetadata } from '../src/model/metadata.js';
import type { MlpParameters } from '../src/model/Mlp.js';
import { encodeMlp, MODEL_INPUT, MODEL_OUTPUT } from '../src/onnx/encodeMlp.js';
import { onnxModelProto } from '../src/onnx/schema.js';
import { writeModelFiles } from '../src/training/writeModel.js';

export const F = PARENT_FEATURE_NAMES.length;
export const RATE_FEATURE = PARENT_FEATURE_NAMES.indexOf('parent_upload_rate_log');

/** A fresh temporary directory. */
export const tempDir = () => mkdtempSync(join(tmpdir(), 'd7y-ml-'));

/** A one-unit MLP scoring `sign × tanh(feature)`: ranks by that one feature, ascending or descending. */
export function oneFeatureModel(feature: number, sign: 1 | -1, featureCount = F): MlpParameters {
  const w1 = new Array<number>(featureCount).fill(0);
  w1[feature] = 1;
  return { featureCount, hidden: 1, mean: new Array(featureCount).fill(0), scale: new Array(featureCount).fill(1), w1, b1: [0], w2: [sign], b2: 0 };
}

/** Metadata matching this scheduler's features, for a model of `featureCount` inputs. */
export function metadata(over: Partial<ModelMetadata> = {}): ModelMetadata {
  return {
    format: MODEL_METADATA_FORMAT,
    version: MODEL_METADATA_VERSION,
    featuresVersion: 1,
    features: [...PARENT_FEATURE_NAMES],
    input: MODEL_INPUT,
    output: MODEL_OUTPUT,
    target: 'test',
    model: { kind: 'mlp-tanh', hidden: 1 },
    trainedAt: new Date(0).toISOString(),
    ...over,
  };
}

/** Writes `model.onnx` + `model.meta.json` into `dir` and returns the model path. */
export function writeModel(dir: string, parameters: MlpParameters, meta: ModelMetadata = metadata()): string {
  return writeModelFiles(join(dir, 'model.onnx'), parameters, meta).modelPath;
}

/** A Running normal peer whose host has uploaded at `rate` bytes/s (0 = unknown). */
export function peer(id: string, rate: number, over: Partial<EvaluatorPeer> = {}, hostOver: Partial<EvaluatorHost> = {}): EvaluatorPeer {
  return {
    id,
    state: 'Running',
    finishedPieceCount: 4,
    pieceCosts: [],
    host: {
      id: `${id}-host`, type: 'normal', hostname: id, ip: '10.0.0.1', idc: '', location: '',
      maxTxBandwidth: 0, txBandwidth: 0, uploadContentLength: 0, concurrentUploadLimit: 200, concurrentUploadCount: 0,
      concurrentUploadPieceCount: 0, uploadCount: 0, uploadFailedCount: 0, uploadPieceRate: rate, ...hostOver,
    },
    ...over,
  };
}

/**
 * A model with the right signature whose graph onnxruntime cannot load (an operator that does not exist):
 * it passes the structural checks and fails only in onnxruntime.
 */
export function unloadableModelBytes(): Uint8Array {
  const ModelProto = onnxModelProto();
  const model = ModelProto.toObject(ModelProto.decode(encodeMlp(oneFeatureModel(0, 1)))) as { graph: { node: { opType: string }[] } };
  model.graph.node[3].opType = 'NoSuchOperator';
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

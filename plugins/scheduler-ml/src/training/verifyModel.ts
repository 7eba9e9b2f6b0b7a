import { InferenceSession, Tensor } from 'onnxruntime-node';

import { MODEL_INPUT, MODEL_OUTPUT } from '../onnx/encodeMlp.js';
import { predict, type MlpParameters } from '../model/Mlp.js';

/**
 * Runs the encoded model in onnxruntime on `rows` and returns the largest absolute difference from the
 * TypeScript prediction: the check that the ONNX file computes what was trained.
 */
export async function maxOnnxDeviation(bytes: Uint8Array, parameters: MlpParameters, rows: readonly (readonly number[])[]): Promise<number> {
  if (rows.length === 0) return 0;
  const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const F = parameters.featureCount;
    const input = new Float32Array(rows.length * F);
    rows.forEach((row, i) => input.set(row, i * F));
    const output = await session.run({ [MODEL_INPUT]: new Tensor('float32', input, [rows.length, F]) });
    const got = output[MODEL_OUTPUT].data as Float32Array;
    // the TypeScript model sees the same float32-rounded inputs onnxruntime gets
    const expected = predict(parameters, rows.map((_, i) => Array.from(input.subarray(i * F, (i + 1) * F))));
    return expected.reduce((max, value, i) => Math.max(max, Math.abs(value - got[i])), 0);
  } finally {
    await session.release();
  }
}

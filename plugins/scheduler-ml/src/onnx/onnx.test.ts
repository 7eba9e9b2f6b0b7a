import { describe, expect, it } from 'vitest';

import { oneFeatureModel } from '../../test/fixtures.js';
import { predict, toFloat32 } from '../model/Mlp.js';
import { seededRandom } from '../training/random.js';
import { maxOnnxDeviation } from '../training/verifyModel.js';
import { encodeMlp, MODEL_INPUT, MODEL_OUTPUT } from './encodeMlp.js';
import { assertModelSignature, inspectModel } from './inspectModel.js';

/** A random MLP with `hidden` units over `F` features. */
function randomModel(F: number, hidden: number, seed: number) {
  const r = seededRandom(seed);
  const values = (n: number, spread = 1) => Array.from({ length: n }, () => (r() * 2 - 1) * spread);
  return toFloat32({ featureCount: F, hidden, mean: values(F), scale: values(F).map((v) => 0.5 + Math.abs(v)), w1: values(F * hidden), b1: values(hidden), w2: values(hidden, 2), b2: 3 });
}

describe('ONNX export', () => {
  it('onnxruntime-node loads the model and reproduces the TypeScript predictions within 1e-5', async () => {
    const model = randomModel(16, 12, 7);
    const r = seededRandom(3);
    const rows = Array.from({ length: 500 }, () => Array.from({ length: 16 }, () => r() * 2));
    const bytes = encodeMlp(model);
    expect(await maxOnnxDeviation(bytes, model, rows)).toBeLessThan(1e-5);
    expect(predict(model, rows.slice(0, 2)).every(Number.isFinite)).toBe(true);
  });

  it('writes a graph with one [N, F] float input and a [N, 1] float output', () => {
    const info = inspectModel(encodeMlp(oneFeatureModel(0, 1, 16)), 'm.onnx');
    expect(info).toMatchObject({ irVersion: 8, opsets: [{ domain: '', version: 13 }], nodeCount: 5 });
    expect(info.inputs).toEqual([{ name: MODEL_INPUT, elemType: 1, dims: ['N', 16] }]);
    expect(info.outputs).toEqual([{ name: MODEL_OUTPUT, elemType: 1, dims: ['N', 1] }]);
    expect(() => assertModelSignature(info, 'm.onnx', MODEL_INPUT, MODEL_OUTPUT, 16)).not.toThrow();
  });

  it('names what does not match: feature count, input name, output name', () => {
    const info = inspectModel(encodeMlp(oneFeatureModel(0, 1, 15)), 'm.onnx');
    expect(() => assertModelSignature(info, 'm.onnx', MODEL_INPUT, MODEL_OUTPUT, 16)).toThrow(/m.onnx does not match its metadata: input 'features' has shape \[N, 15\], metadata names 16 features/);
    expect(() => assertModelSignature(info, 'm.onnx', 'x', MODEL_OUTPUT, 15)).toThrow(/input is named 'features', metadata says 'x'/);
    expect(() => assertModelSignature(info, 'm.onnx', MODEL_INPUT, 'y', 15)).toThrow(/no output named 'y'/);
  });

  it('refuses bytes that are not an ONNX model with D7Y_ERR_DATA_CORRUPTED', () => {
    const bytes = encodeMlp(oneFeatureModel(0, 1, 16));
    expect(() => inspectModel(bytes.subarray(0, bytes.length - 7), 'cut.onnx')).toThrow(expect.objectContaining({ code: 'D7Y_ERR_DATA_CORRUPTED', message: expect.stringMatching(/^cut.onnx is not an ONNX model/) }));
    expect(() => inspectModel(Buffer.from('hello, this is text\n'), 'text.onnx')).toThrow(/text.onnx is not an ONNX model/);
  });
});

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import type { MlpParameters } from '../model/Mlp.js';
import { ONNX_FLOAT, onnxModelProto } from './schema.js';

/** Name of the model's input: a float tensor `[N, featureCount]`. */
export const MODEL_INPUT = 'features';
/** Name of the model's output: a float tensor `[N, 1]`, higher is better. */
export const MODEL_OUTPUT = 'score';
/** ONNX IR version and default-domain opset written (onnxruntime 1.30 runs both). */
export const IR_VERSION = 8;
export const OPSET = 13;

const valueInfo = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});
const tensor = (name: string, dims: number[], values: readonly number[]) => ({ name, dims, dataType: ONNX_FLOAT, floatData: [...values] });

/**
 * Encodes `p` as an ONNX model: `Sub(mean) → Div(scale) → Gemm(W1, B1) → Tanh → Gemm(W2, B2)`, input
 * `features [N, F]`, output `score [N, 1]`, IR 8, opset 13. Returns the protobuf bytes.
 */
export function encodeMlp(p: MlpParameters, docString = ''): Uint8Array {
  const { featureCount: F, hidden: H } = p;
  const model = {
    irVersion: IR_VERSION,
    producerName: 'd7y train',
    producerVersion: '1',
    docString,
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'd7y-parent-scorer',
      node: [
        { opType: 'Sub', input: [MODEL_INPUT, 'mean'], output: ['centered'], name: 'center' },
        { opType: 'Div', input: ['centered', 'scale'], output: ['standardized'], name: 'standardize' },
        { opType: 'Gemm', input: ['standardized', 'W1', 'B1'], output: ['hidden_in'], name: 'layer1' },
        { opType: 'Tanh', input: ['hidden_in'], output: ['hidden'], name: 'activation' },
        { opType: 'Gemm', input: ['hidden', 'W2', 'B2'], output: [MODEL_OUTPUT], name: 'layer2' },
      ],
      initializer: [
        tensor('mean', [F], p.mean),
        tensor('scale', [F], p.scale),
        tensor('W1', [F, H], p.w1),
        tensor('B1', [H], p.b1),
        tensor('W2', [H, 1], p.w2),
        tensor('B2', [1], [p.b2]),
      ],
      input: [valueInfo(MODEL_INPUT, ['N', F])],
      output: [valueInfo(MODEL_OUTPUT, ['N', 1])],
    },
  };
  const ModelProto = onnxModelProto();
  const problem = ModelProto.verify(model);
  if (problem) throw createError(ErrorCodes.INTERNAL, `ONNX model does not verify: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

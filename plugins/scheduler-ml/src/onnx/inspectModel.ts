import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import { ONNX_FLOAT, onnxModelProto } from './schema.js';

/** One graph input or output: name, element type and dims (a number, or a symbolic name / '?' when free). */
export interface ModelTensorInfo {
  readonly name: string;
  readonly elemType: number;
  readonly dims: readonly (number | string)[];
}

/** What `inspectModel` reads from an ONNX file. */
export interface ModelInfo {
  readonly irVersion: number;
  readonly opsets: readonly { domain: string; version: number }[];
  readonly nodeCount: number;
  readonly inputs: readonly ModelTensorInfo[];
  readonly outputs: readonly ModelTensorInfo[];
}

interface DecodedValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } };
}
interface DecodedModel {
  irVersion?: number;
  opsetImport?: { domain?: string; version?: number }[];
  graph?: { node?: unknown[]; input?: DecodedValueInfo[]; output?: DecodedValueInfo[]; initializer?: { name?: string }[] };
}

const tensorInfo = (value: DecodedValueInfo): ModelTensorInfo => ({
  name: value.name ?? '',
  elemType: value.type?.tensorType?.elemType ?? 0,
  dims: (value.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimValue ?? d.dimParam ?? '?'),
});

/**
 * Decodes an ONNX model's header and graph signature without running it. Throws `D7Y_ERR_DATA_CORRUPTED`
 * naming `source` when the bytes are not a protobuf ModelProto or hold no graph with inputs and outputs.
 */
export function inspectModel(bytes: Uint8Array, source: string): ModelInfo {
  let decoded: DecodedModel;
  try {
    const ModelProto = onnxModelProto();
    decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false }) as DecodedModel;
  } catch (err) {
    throw createError(ErrorCodes.DATA_CORRUPTED, `${source} is not an ONNX model: protobuf decoding failed (${(err as Error).message})`, { cause: err });
  }
  const graph = decoded.graph;
  if (!graph || !graph.node?.length || !graph.input?.length || !graph.output?.length) {
    throw createError(ErrorCodes.DATA_CORRUPTED, `${source} is not an ONNX model: it has no graph with nodes, inputs and outputs`);
  }
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  return {
    irVersion: decoded.irVersion ?? 0,
    opsets: (decoded.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: o.version ?? 0 })),
    nodeCount: graph.node.length,
    inputs: graph.input.filter((i) => !initializers.has(i.name)).map(tensorInfo),
    outputs: graph.output.map(tensorInfo),
  };
}

/**
 * Checks that `info` takes one float input `inputName` of shape `[N, featureCount]` and has a float output
 * `outputName` of shape `[N, 1]`; otherwise `D7Y_ERR_PLUGIN_CONFIG` saying what differs.
 */
export function assertModelSignature(info: ModelInfo, source: string, inputName: string, outputName: string, featureCount: number): void {
  const fail = (what: string) => {
    throw createError(ErrorCodes.PLUGIN_CONFIG, `${source} does not match its metadata: ${what}`);
  };
  if (info.inputs.length !== 1) fail(`expected 1 input, found ${info.inputs.length} (${info.inputs.map((i) => i.name).join(', ')})`);
  const input = info.inputs[0];
  if (input.name !== inputName) fail(`input is named '${input.name}', metadata says '${inputName}'`);
  if (input.elemType !== ONNX_FLOAT) fail(`input '${input.name}' is not float32 (elem_type ${input.elemType})`);
  if (input.dims.length !== 2 || input.dims[1] !== featureCount) {
    fail(`input '${input.name}' has shape [${input.dims.join(', ')}], metadata names ${featureCount} features ([N, ${featureCount}])`);
  }
  const output = info.outputs.find((o) => o.name === outputName);
  if (!output) fail(`no output named '${outputName}' (outputs: ${info.outputs.map((o) => o.name).join(', ')})`);
  else if (output.elemType !== ONNX_FLOAT || output.dims.length !== 2 || output.dims[1] !== 1) {
    fail(`output '${outputName}' must be float32 [N, 1], found elem_type ${output.elemType} [${output.dims.join(', ')}]`);
  }
}

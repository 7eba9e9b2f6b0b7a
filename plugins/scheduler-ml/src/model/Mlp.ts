/**
 * The model `d7y train` fits: standardised features → one tanh hidden layer → one output (the predicted
 * log piece throughput). Parameters are float32 values, as ONNX stores them, so that the TypeScript
 * prediction and onnxruntime's agree to float32 rounding.
 */

/** Parameters of a one-hidden-layer MLP, row-major. */
export interface MlpParameters {
  readonly featureCount: number;
  readonly hidden: number;
  /** Per-feature mean and scale subtracted / divided before the first layer. */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** `featureCount × hidden`, row-major (`w1[f * hidden + h]`). */
  readonly w1: readonly number[];
  readonly b1: readonly number[];
  /** `hidden` weights of the output unit. */
  readonly w2: readonly number[];
  readonly b2: number;
}

/** Rounds every parameter to float32, as ONNX stores them. */
export function toFloat32(p: MlpParameters): MlpParameters {
  const f = (values: readonly number[]) => values.map((v) => Math.fround(v));
  return { ...p, mean: f(p.mean), scale: f(p.scale), w1: f(p.w1), b1: f(p.b1), w2: f(p.w2), b2: Math.fround(p.b2) };
}

/** The model's output for one feature row. */
export function predictRow(p: MlpParameters, row: readonly number[]): number {
  const { featureCount: F, hidden: H } = p;
  let out = p.b2;
  for (let h = 0; h < H; h++) {
    let z = p.b1[h];
    for (let f = 0; f < F; f++) z += ((row[f] - p.mean[f]) / p.scale[f]) * p.w1[f * H + h];
    out += Math.tanh(z) * p.w2[h];
  }
  return out;
}

/** `predictRow` for each row. */
export function predict(p: MlpParameters, rows: readonly (readonly number[])[]): number[] {
  return rows.map((row) => predictRow(p, row));
}

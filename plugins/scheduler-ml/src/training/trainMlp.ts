import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import { toFloat32, type MlpParameters } from '../model/Mlp.js';
import type { Dataset } from './dataset.js';
import { seededRandom, shuffle } from './random.js';

/** Knobs of `trainMlp`. */
export interface TrainOptions {
  /** Hidden units (default 16). */
  readonly hidden?: number;
  /** Passes over the data; default: as many as fit in about 2 million row updates, at most 300. */
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** L2 weight decay. */
  readonly l2?: number;
  readonly seed?: number;
}

/** Per-feature mean and scale (standard deviation, 1 for a constant feature). */
function standardization(x: readonly (readonly number[])[], F: number): { mean: number[]; scale: number[] } {
  const mean = new Array<number>(F).fill(0);
  const scale = new Array<number>(F).fill(0);
  for (const row of x) for (let f = 0; f < F; f++) mean[f] += row[f] / x.length;
  for (const row of x) for (let f = 0; f < F; f++) scale[f] += (row[f] - mean[f]) ** 2 / x.length;
  return { mean, scale: scale.map((v) => (Math.sqrt(v) > 1e-6 ? Math.sqrt(v) : 1)) };
}

/**
 * Fits a one-hidden-layer tanh MLP to `data` by mini-batch Adam on the mean squared error, deterministic for a
 * given seed. Returns float32-rounded parameters (what the ONNX file will hold).
 */
export function trainMlp(data: Dataset, options: TrainOptions = {}): MlpParameters {
  const n = data.x.length;
  if (n === 0) throw createError(ErrorCodes.INVALID_ARGUMENT, 'no training rows');
  const F = data.x[0].length;
  const H = options.hidden ?? 16;
  const epochs = options.epochs ?? Math.min(300, Math.max(20, Math.ceil(2_000_000 / n)));
  const batchSize = options.batchSize ?? 64;
  const lr = options.learningRate ?? 0.01;
  const l2 = options.l2 ?? 1e-4;
  const random = seededRandom(options.seed ?? 1);
  const { mean, scale } = standardization(data.x, F);
  const xs = data.x.map((row) => row.map((v, f) => (v - mean[f]) / scale[f]));
  const yMean = data.y.reduce((a, b) => a + b, 0) / n;

  // parameters: [w1 (F*H), b1 (H), w2 (H), b2 (1)] in one vector, for Adam
  const P = F * H + H + H + 1;
  const theta = new Float64Array(P);
  const limit1 = Math.sqrt(6 / (F + H));
  for (let i = 0; i < F * H; i++) theta[i] = (random() * 2 - 1) * limit1;
  const limit2 = Math.sqrt(6 / (H + 1));
  for (let h = 0; h < H; h++) theta[F * H + H + h] = (random() * 2 - 1) * limit2;
  theta[P - 1] = yMean;
  const W1 = 0, B1 = F * H, W2 = F * H + H, B2 = P - 1;
  const m = new Float64Array(P), v = new Float64Array(P), grad = new Float64Array(P);
  const a = new Float64Array(H);
  const order = Array.from({ length: n }, (_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, random);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      grad.fill(0);
      for (let k = start; k < end; k++) {
        const row = xs[order[k]];
        let out = theta[B2];
        for (let h = 0; h < H; h++) {
          let z = theta[B1 + h];
          for (let f = 0; f < F; f++) z += row[f] * theta[W1 + f * H + h];
          a[h] = Math.tanh(z);
          out += a[h] * theta[W2 + h];
        }
        const d = (2 * (out - data.y[order[k]])) / (end - start);
        grad[B2] += d;
        for (let h = 0; h < H; h++) {
          grad[W2 + h] += d * a[h];
          const dz = d * theta[W2 + h] * (1 - a[h] * a[h]);
          grad[B1 + h] += dz;
          for (let f = 0; f < F; f++) grad[W1 + f * H + h] += dz * row[f];
        }
      }
      step++;
      const c1 = 1 - 0.9 ** step, c2 = 1 - 0.999 ** step;
      for (let i = 0; i < P; i++) {
        const g = grad[i] + (i < B1 || (i >= W2 && i < B2) ? l2 * theta[i] : 0);
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        theta[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
      }
    }
  }
  return toFloat32({
    featureCount: F,
    hidden: H,
    mean,
    scale,
    w1: Array.from(theta.subarray(W1, B1)),
    b1: Array.from(theta.subarray(B1, W2)),
    w2: Array.from(theta.subarray(W2, B2)),
    b2: theta[B2],
  });
}

/**
 * Config of the default evaluator (`pluginConfig.evaluator.default`): score weights and the piece-cost window,
 * with Dragonfly's defaults, validated by a hand-written `safeParse` so the plugin needs no schema library.
 */
import type { PluginConfigSchema } from '@d7y/core/plugin-api';

/** Weights of every score term. See `DefaultEvaluator` for how they combine. */
export interface EvaluatorWeights {
  /** TotalScore weight of LoadQuality (Dragonfly: 0.6). */
  readonly loadQuality: number;
  /** TotalScore weight of IDCAffinity (Dragonfly: 0.2). */
  readonly idcAffinity: number;
  /** TotalScore weight of LocationAffinity (Dragonfly: 0.1). */
  readonly locationAffinity: number;
  /** TotalScore weight of HostType (Dragonfly: 0.1). */
  readonly hostType: number;
  /** Bandwidth LoadQuality weight of PeakBandwidthUsage (Dragonfly: 0.5). */
  readonly peakBandwidthUsage: number;
  /** Bandwidth LoadQuality weight of BandwidthDuration (Dragonfly: 0.3). */
  readonly bandwidthDuration: number;
  /** Bandwidth LoadQuality weight of Concurrency (Dragonfly: 0.2). */
  readonly concurrency: number;
  /** Fallback LoadQuality weight of FinishedPiece (previous base evaluator: 0.2). */
  readonly finishedPiece: number;
  /** Fallback LoadQuality weight of UploadSuccess (previous base evaluator: 0.2). */
  readonly uploadSuccess: number;
  /** Fallback LoadQuality weight of FreeUpload (previous base evaluator: 0.15). */
  readonly freeUpload: number;
}

/** The validated config, defaults applied. */
export interface DefaultEvaluatorConfig {
  readonly weights: EvaluatorWeights;
  /** Capacity of the scheduler's piece-cost window; a peer with this many costs is judged by three-sigma. */
  readonly pieceCostsWindowSize: number;
}

/** What users may write: every field optional. */
export interface DefaultEvaluatorConfigInput {
  readonly weights?: Partial<EvaluatorWeights>;
  readonly pieceCostsWindowSize?: number;
}

/** Dragonfly's weights: the current default evaluator, plus the previous base evaluator's load signals. */
export const DEFAULT_WEIGHTS: EvaluatorWeights = Object.freeze({
  loadQuality: 0.6,
  idcAffinity: 0.2,
  locationAffinity: 0.1,
  hostType: 0.1,
  peakBandwidthUsage: 0.5,
  bandwidthDuration: 0.3,
  concurrency: 0.2,
  finishedPiece: 0.2,
  uploadSuccess: 0.2,
  freeUpload: 0.15,
});

/** Dragonfly's `pieceCostsWindowLen`. */
export const DEFAULT_PIECE_COSTS_WINDOW_SIZE = 2000;

/** The defaults, as a complete config. */
export const DEFAULT_CONFIG: DefaultEvaluatorConfig = Object.freeze({
  weights: DEFAULT_WEIGHTS,
  pieceCostsWindowSize: DEFAULT_PIECE_COSTS_WINDOW_SIZE,
});

type Issue = { path: PropertyKey[]; message: string };

const WEIGHT_KEYS = Object.keys(DEFAULT_WEIGHTS) as (keyof EvaluatorWeights)[];
const LOAD_GROUPS: readonly (readonly (keyof EvaluatorWeights)[])[] = [
  ['peakBandwidthUsage', 'bandwidthDuration', 'concurrency'],
  ['finishedPiece', 'uploadSuccess', 'freeUpload'],
];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The plugin's `configSchema`. Weights must be finite and ≥ 0, and each LoadQuality group must have a
 * positive sum (it is a weighted mean); `pieceCostsWindowSize` must be an integer ≥ 2. Unknown keys are errors.
 */
export const defaultEvaluatorConfigSchema: PluginConfigSchema<DefaultEvaluatorConfig> = {
  safeParse(input: unknown) {
    const raw = input ?? {};
    if (!isObject(raw)) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    const issues: Issue[] = [];
    for (const key of Object.keys(raw)) {
      if (key !== 'weights' && key !== 'pieceCostsWindowSize') issues.push({ path: [key], message: 'unknown option' });
    }
    const weights: Record<string, number> = { ...DEFAULT_WEIGHTS };
    if (raw.weights !== undefined) {
      if (!isObject(raw.weights)) issues.push({ path: ['weights'], message: 'expected an object' });
      else {
        for (const [key, value] of Object.entries(raw.weights)) {
          if (!(WEIGHT_KEYS as string[]).includes(key)) issues.push({ path: ['weights', key], message: 'unknown weight' });
          else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
            issues.push({ path: ['weights', key], message: `expected a finite number >= 0, received ${JSON.stringify(value)}` });
          } else weights[key] = value;
        }
        for (const group of LOAD_GROUPS) {
          if (group.reduce((sum, key) => sum + weights[key], 0) <= 0) {
            issues.push({ path: ['weights'], message: `${group.join(' + ')} must be greater than 0` });
          }
        }
      }
    }
    let pieceCostsWindowSize = DEFAULT_PIECE_COSTS_WINDOW_SIZE;
    if (raw.pieceCostsWindowSize !== undefined) {
      const value = raw.pieceCostsWindowSize;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 2) {
        issues.push({ path: ['pieceCostsWindowSize'], message: `expected an integer >= 2, received ${JSON.stringify(value)}` });
      } else pieceCostsWindowSize = value;
    }
    if (issues.length > 0) return { success: false, error: { issues } };
    return { success: true, data: { weights: weights as unknown as EvaluatorWeights, pieceCostsWindowSize } };
  },
};

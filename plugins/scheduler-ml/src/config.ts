/**
 * Config of the ml evaluator, `plugins.evaluator.ml` in scheduler.yaml:
 *
 *     scheduler:
 *       algorithm: ml
 *     plugins:
 *       evaluator:
 *         ml:
 *           model: /var/lib/dragonfly/model.onnx      # required with algorithm: ml
 *           metadata: /var/lib/dragonfly/model.meta.json  # default: beside the model
 *           reloadInterval: 2000                      # ms between checks of the model file; 0 = never reload
 *
 * Validated by a hand-written `safeParse`, so the plugin needs no schema library.
 */
import type { PluginConfigSchema } from '@d7y/core/plugin-api';

/** The validated config. `model` is optional here because every scheduler loads the plugin; `algorithm: ml` requires it. */
export interface MlEvaluatorConfig {
  readonly model?: string;
  readonly metadata?: string;
  readonly reloadInterval: number;
  readonly pieceCostsWindowSize?: number;
}

/** Default `reloadInterval`, ms. */
export const DEFAULT_RELOAD_INTERVAL_MS = 2000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The plugin's `configSchema`: paths are non-empty strings, `reloadInterval` an integer ≥ 0; unknown keys are errors. */
export const mlEvaluatorConfigSchema: PluginConfigSchema<MlEvaluatorConfig> = {
  safeParse(input: unknown) {
    const raw = input ?? {};
    if (!isObject(raw)) return { success: false, error: { issues: [{ path: [], message: 'expected an object' }] } };
    const issues: { path: PropertyKey[]; message: string }[] = [];
    for (const key of Object.keys(raw)) {
      if (!['model', 'metadata', 'reloadInterval', 'pieceCostsWindowSize'].includes(key)) issues.push({ path: [key], message: 'unknown option' });
    }
    for (const key of ['model', 'metadata'] as const) {
      const value = raw[key];
      if (value !== undefined && (typeof value !== 'string' || value === '')) issues.push({ path: [key], message: `expected a file path, received ${JSON.stringify(value)}` });
    }
    const interval = raw.reloadInterval ?? DEFAULT_RELOAD_INTERVAL_MS;
    if (typeof interval !== 'number' || !Number.isSafeInteger(interval) || interval < 0) {
      issues.push({ path: ['reloadInterval'], message: `expected milliseconds (an integer >= 0), received ${JSON.stringify(interval)}` });
    }
    const window = raw.pieceCostsWindowSize;
    if (window !== undefined && (typeof window !== 'number' || !Number.isSafeInteger(window) || window < 2)) {
      issues.push({ path: ['pieceCostsWindowSize'], message: `expected an integer >= 2, received ${JSON.stringify(window)}` });
    }
    if (issues.length > 0) return { success: false, error: { issues } };
    return {
      success: true,
      data: {
        model: raw.model as string | undefined,
        metadata: raw.metadata as string | undefined,
        reloadInterval: interval as number,
        pieceCostsWindowSize: window as number | undefined,
      },
    };
  },
};

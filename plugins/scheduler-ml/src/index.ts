/**
 * @d7y/plugin-scheduler-ml: the learned parent evaluator (`scheduler.algorithm: ml`), run by onnxruntime-node.
 * The trainer (`d7y train`) is exported from `@d7y/plugin-scheduler-ml/training`.
 * @packageDocumentation
 */
import { createError, definePlugin, ErrorCodes, TOKENS, type Evaluator } from '@d7y/core/plugin-api';

import { mlEvaluatorConfigSchema, type MlEvaluatorConfig } from './config.js';
import { MlEvaluator } from './MlEvaluator.js';

export { MlEvaluator, type InferenceStats, type MlEvaluatorOptions } from './MlEvaluator.js';
export { DEFAULT_RELOAD_INTERVAL_MS, mlEvaluatorConfigSchema, type MlEvaluatorConfig } from './config.js';
export { metadataPathFor, readModelMetadata, type ModelMetadata } from './model/metadata.js';
export { loadModelFiles, type ModelFiles } from './model/loadModelFiles.js';

/**
 * The plugin. Every scheduler loads it, so registration does no I/O; the evaluator is built (and the model
 * read and checked) only when `scheduler.algorithm` is `ml`, and onnxruntime loads it in `open()`, which the
 * scheduler awaits before serving. Without `plugins.evaluator.ml.model` that fails with D7Y_ERR_PLUGIN_CONFIG.
 */
export default definePlugin<MlEvaluatorConfig>({
  kind: 'evaluator',
  name: 'ml',
  apiVersion: '1.0',
  configSchema: mlEvaluatorConfigSchema,
  register(ctx) {
    ctx.container.register<Evaluator>(TOKENS.Evaluator, {
      useFactory: () => {
        const { model, metadata, reloadInterval, pieceCostsWindowSize } = ctx.config;
        if (!model) {
          throw createError(ErrorCodes.PLUGIN_CONFIG, 'scheduler.algorithm is ml but plugins.evaluator.ml.model is not set: give the path of a model written by d7y train');
        }
        return new MlEvaluator({ modelPath: model, metadataPath: metadata, reloadIntervalMs: reloadInterval, pieceCostsWindowSize, logger: ctx.logger });
      },
    });
  },
});

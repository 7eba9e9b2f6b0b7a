/**
 * @d7y/plugin-scheduler-default: Dragonfly's rule-based parent evaluator (`scheduler.algorithm: default`).
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type Evaluator } from '@d7y/core/plugin-api';

import { defaultEvaluatorConfigSchema, type DefaultEvaluatorConfig } from './config.js';
import { DefaultEvaluator } from './DefaultEvaluator.js';

export { DefaultEvaluator, type DefaultEvaluatorOptions, type LoadMode, type ParentScore } from './DefaultEvaluator.js';
export {
  DEFAULT_CONFIG,
  DEFAULT_PIECE_COSTS_WINDOW_SIZE,
  DEFAULT_WEIGHTS,
  defaultEvaluatorConfigSchema,
  type DefaultEvaluatorConfig,
  type DefaultEvaluatorConfigInput,
  type EvaluatorWeights,
} from './config.js';
export { BAD_PARENT_STATES, isAbnormalPieceCost, isBadParent, MIN_PIECE_COSTS, SIGMA_FACTOR, SPIKE_FACTOR } from './badParent.js';
export * from './scores.js';

/** The plugin: registers a `DefaultEvaluator` under `TOKENS.Evaluator`, built on first resolve. */
export default definePlugin<DefaultEvaluatorConfig>({
  kind: 'evaluator',
  name: 'default',
  apiVersion: '1.0',
  configSchema: defaultEvaluatorConfigSchema,
  register(ctx) {
    ctx.container.register<Evaluator>(TOKENS.Evaluator, {
      useFactory: () => new DefaultEvaluator({ ...ctx.config, logger: ctx.logger }),
    });
  },
});

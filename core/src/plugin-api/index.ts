/**
 * The d7y plugin API: everything a plugin may import. Kept free of runtime dependencies.
 * @packageDocumentation
 */
export { PLUGIN_API_VERSION } from './version.js';
export { TOKENS, type Token } from './tokens.js';
export {
  definePlugin,
  isPlugin,
  PLUGIN_KINDS,
  PLUGIN_TYPE_TAG,
  PLUGIN_TYPE_VERSION,
  type Plugin,
  type PluginConfigSchema,
  type PluginDefinition,
  type PluginKind,
  type RegisterContext,
} from './definePlugin.js';
export type { PluginContainer, Provider } from './PluginContainer.js';
export type { Logger } from './Logger.js';
export type { EgressPolicy } from './EgressPolicy.js';
export { createError, D7yError, ErrorCodes, isD7yError, type ErrorCode } from './errors.js';
export type * from './source/SourceClient.js';
export { checkedBody, type SizeError } from './source/checkedBody.js';
export { existsByStat } from './source/exists.js';
export { assertByteRange, assertObjectKey } from './source/range.js';
export { REDACTED, scrub, secretsOf } from './source/secrets.js';
export type * from './scheduling/Evaluator.js';
export { PARENT_FEATURE_NAMES, PARENT_FEATURES_VERSION, parentFeatures } from './scheduling/features.js';
export type * from './storage/StorageEngine.js';
export type * from './database/DatabaseDriver.js';
export type * from './database/SharedStateBackend.js';

/**
 * Step 6 of the pipeline: the plugin's config section, validated by its own `configSchema` and deep-frozen
 * before `register()` sees it.
 */
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import type { Plugin } from '../plugin-api/definePlugin.js';
import type { PluginConfigMap } from './types.js';

/**
 * Freezes plain objects and arrays recursively, in place, and returns the value. Other objects (dates,
 * buffers, class instances) are left as they are: freezing a typed array with elements throws.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(root)' : path.map((part) => (typeof part === 'symbol' ? part.toString() : String(part))).join('.');
}

/**
 * The config for `plugin`: `pluginConfig[kind][name]` (`{}` when absent), parsed by the plugin's
 * `configSchema` when it has one, then deep-frozen. A rejected config is `D7Y_ERR_PLUGIN_CONFIG` listing each
 * issue's path and message; a schema that throws or answers nonsense is `D7Y_ERR_PLUGIN_INVALID`.
 */
export function resolvePluginConfig(plugin: Plugin, pluginConfig: PluginConfigMap | undefined): unknown {
  const raw = pluginConfig?.[plugin.kind]?.[plugin.name] ?? {};
  if (plugin.configSchema === undefined) return deepFreeze(raw);
  let result: ReturnType<NonNullable<Plugin['configSchema']>['safeParse']>;
  try {
    result = plugin.configSchema.safeParse(raw);
  } catch (err) {
    throw createError(ErrorCodes.PLUGIN_INVALID, `configSchema.safeParse() threw: ${(err as Error).message}`, { cause: err });
  }
  if (typeof result !== 'object' || result === null || typeof result.success !== 'boolean') {
    throw createError(ErrorCodes.PLUGIN_INVALID, 'configSchema.safeParse() did not return { success, data | error }');
  }
  if (!result.success) {
    const issues = (result.error?.issues ?? []).map((issue) => `${formatPath(issue.path ?? [])}: ${issue.message}`);
    throw createError(ErrorCodes.PLUGIN_CONFIG, `config for ${plugin.kind}/${plugin.name} is invalid: ${issues.join('; ') || 'rejected by its schema'}`, {
      details: { issues },
    });
  }
  return deepFreeze(result.data);
}

import type { EgressPolicy } from './EgressPolicy.js';
import type { Logger } from './Logger.js';
import type { PluginContainer } from './PluginContainer.js';

/** The kinds of plugin the kernel knows; each kind has one contract and one token. */
export type PluginKind = 'source' | 'evaluator' | 'storage' | 'database';
export const PLUGIN_KINDS: readonly PluginKind[] = ['source', 'evaluator', 'storage', 'database'];

/** Marker that identifies a plugin object structurally, across copies of this package. */
export const PLUGIN_TYPE_TAG = '@d7y/Plugin';
export const PLUGIN_TYPE_VERSION = 'v1';

/**
 * A validator for a plugin's config section. Any object with a zod-like `safeParse` fits, so plugins may
 * bring their own zod copy or hand-written checks.
 */
export interface PluginConfigSchema<C> {
  /** Validates raw config; returns the parsed value or a list of issues with paths. */
  safeParse(
    input: unknown,
  ): { success: true; data: C } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/** What the kernel hands to `register()`. */
export interface RegisterContext<C = unknown> {
  /** A child of the host container: register this plugin's providers here. */
  readonly container: PluginContainer;
  /** The plugin's validated, deep-frozen config section (`{}` if the role's config has none). */
  readonly config: C;
  /** A logger bound to this plugin's kind and name. */
  readonly logger: Logger;
  /** The host's outbound address policy. */
  readonly egress: EgressPolicy;
  /** The role that is loading the plugin. */
  readonly role: 'manager' | 'scheduler' | 'dfdaemon' | 'dfget' | 'tool';
}

/** The object a plugin package default-exports. */
export interface PluginDefinition<C = unknown> {
  /** Which contract the plugin implements. */
  readonly kind: PluginKind;
  /**
   * The name the plugin is selected by: the algorithm for evaluators (`default`, `ml`, or any name for
   * `algorithm: plugin`), the database type for databases, the engine name for storage, a label for sources.
   */
  readonly name: string;
  /** The plugin API version the plugin was written against, `MAJOR.MINOR` (see `PLUGIN_API_VERSION`). */
  readonly apiVersion: string;
  /**
   * Set true in a `pluginDir` plugin to replace a built-in plugin of the same kind and name (or the same
   * scheme). The kernel logs the replacement; without this flag a clash is a start-up error.
   */
  readonly overrides?: boolean;
  /** URL schemes served, for plugins of kind `source` (lower case, without `:`). */
  readonly schemes?: readonly string[];
  /** Validates the plugin's config section before `register` runs. */
  readonly configSchema?: PluginConfigSchema<C>;
  /**
   * Registers the plugin's providers. Called once per process, after validation. Must not start I/O that
   * outlives the call; long-lived resources are created by the registered factories.
   */
  register(ctx: RegisterContext<C>): void | Promise<void>;
}

/** A plugin definition carrying the structural brand. */
export interface Plugin<C = unknown> extends PluginDefinition<C> {
  readonly $$type: typeof PLUGIN_TYPE_TAG;
  readonly version: typeof PLUGIN_TYPE_VERSION;
}

/** Brands and freezes a plugin definition. Plugins default-export the result. */
export function definePlugin<C = unknown>(definition: PluginDefinition<C>): Plugin<C> {
  return Object.freeze({ ...definition, $$type: PLUGIN_TYPE_TAG, version: PLUGIN_TYPE_VERSION });
}

/** Structural check for a branded plugin object (never `instanceof`). */
export function isPlugin(value: unknown): value is Plugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { $$type?: unknown }).$$type === PLUGIN_TYPE_TAG &&
    (value as { version?: unknown }).version === PLUGIN_TYPE_VERSION
  );
}

/**
 * Data types shared by the plugin loader, the registry and the report printer.
 * Kept free of behaviour so that every other kernel file can import them without cycles.
 */
import type { ErrorCode } from '../plugin-api/errors.js';
import type { PluginKind, RegisterContext } from '../plugin-api/definePlugin.js';

/** The role loading plugins (the `role` handed to `register(ctx)`). */
export type PluginRole = RegisterContext['role'];

/** Where a plugin came from: a package listed by the role, or an entry of the user's `pluginDir`. */
export type PluginOrigin = 'builtin' | 'pluginDir';

/** A built-in plugin package a role loads by default. */
export interface BuiltinPlugin {
  /** Package specifier, e.g. `@d7y/plugin-source-http`. */
  readonly specifier: string;
  /** The kind the package must provide; checked against its manifest before its code runs. */
  readonly kind?: PluginKind;
  /** True if the role works without it: an absent package is then reported as "not installed" and skipped. */
  readonly optional: boolean;
}

/**
 * A place in `pluginDir` that a role scans, e.g. dfdaemon's `<pluginDir>/backend/` (every entry, kind
 * `source`) or the scheduler's single `<pluginDir>/d7y-scheduler-plugin-evaluator.{js,mjs,cjs}` (kind `evaluator`).
 */
export interface PluginSlot {
  /** Label used in logs and reports, e.g. `backend`. */
  readonly name: string;
  /** Directory to scan; a missing directory is not an error unless `required` is set. */
  readonly dir: string;
  /** The kind every plugin in this slot must have. */
  readonly kind: PluginKind;
  /**
   * Base name of the single entry to load (`<entry>.js|.mjs|.cjs` or folder `<entry>/`). When absent, every
   * entry of `dir` is a candidate.
   */
  readonly entry?: string;
  /** True if the slot must yield a plugin (e.g. `scheduler.algorithm: plugin`): nothing found is a failure. */
  readonly required?: boolean;
}

/** Plugin config sections: `pluginConfig[kind][name]` is handed to that plugin's `configSchema`. */
export type PluginConfigMap = Readonly<Partial<Record<PluginKind, Readonly<Record<string, unknown>>>>>;

/** One plugin the pipeline refused, with the reason. */
export interface PluginFailure {
  /** `kind/name` when the plugin got far enough to say who it is. */
  readonly id?: string;
  readonly origin: PluginOrigin;
  /** The package specifier, for built-ins. */
  readonly specifier?: string;
  /** The most precise path known: the entry file, else the package folder or pluginDir entry. */
  readonly from: string;
  readonly code: ErrorCode;
  /** Human-readable reason, without the file (the failure line adds it). */
  readonly reason: string;
  /** The underlying error, if any (kept out of reports). */
  readonly cause?: unknown;
}

/** What the report and `registry.list()` say about one loaded plugin. */
export interface PluginInfo {
  readonly kind: PluginKind;
  readonly name: string;
  readonly apiVersion: string;
  /** URL schemes served (sources only; empty otherwise). */
  readonly schemes: readonly string[];
  readonly origin: PluginOrigin;
  /** Absolute path of the entry file that was imported. */
  readonly from: string;
  /** The package name from package.json, for packages and folders. */
  readonly packageName?: string;
  /** The package version from package.json, for packages and folders. */
  readonly version?: string;
  /** The pluginDir slot the plugin was found in. */
  readonly slot?: string;
  /** Built-ins this pluginDir plugin replaced (`overrides: true`). */
  readonly replaced?: readonly { readonly id: string; readonly from: string }[];
}

/** An optional built-in that is not installed. */
export interface NotInstalledPlugin {
  readonly specifier: string;
  readonly kind?: PluginKind;
}

/** A pluginDir entry that is not a plugin candidate (README, `.d.ts`, dotfiles...). */
export interface IgnoredEntry {
  readonly path: string;
  readonly reason: string;
}

/** Everything the pipeline decided for one role: the input of `d7y plugins`. */
export interface PluginReport {
  readonly role: PluginRole;
  readonly loaded: readonly PluginInfo[];
  readonly refused: readonly PluginFailure[];
  readonly notInstalled: readonly NotInstalledPlugin[];
  readonly ignored: readonly IgnoredEntry[];
}

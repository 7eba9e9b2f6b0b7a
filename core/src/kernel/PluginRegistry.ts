/**
 * The loaded plugins of one process, keyed by `(kind, name)` and, for sources, by URL scheme. Instances are
 * resolved lazily from each plugin's own child container, on first use, and cached until `close()`.
 */
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import type { PluginKind } from '../plugin-api/definePlugin.js';
import type { PluginContainer } from '../plugin-api/PluginContainer.js';
import type { DatabaseDriver } from '../plugin-api/database/DatabaseDriver.js';
import type { SharedStateBackend } from '../plugin-api/database/SharedStateBackend.js';
import type { Evaluator } from '../plugin-api/scheduling/Evaluator.js';
import type { SourceClient } from '../plugin-api/source/SourceClient.js';
import type { StorageEngine } from '../plugin-api/storage/StorageEngine.js';
import { TOKENS, type Token } from '../plugin-api/tokens.js';
import { describeToken } from './container.js';
import type { PluginInfo } from './types.js';

/** A registered plugin: what reports show, plus the container its providers live in. */
export interface RegisteredPlugin extends PluginInfo {
  readonly container: PluginContainer;
}

interface Closable {
  close(): Promise<void> | void;
}

function schemeOf(urlOrScheme: string | URL): string {
  if (urlOrScheme instanceof URL) return urlOrScheme.protocol.slice(0, -1).toLowerCase();
  const text = urlOrScheme.trim();
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(text);
  return (match ? match[1] : text).toLowerCase();
}

/** Plugins by kind, name and scheme; the only way roles reach plugin-provided services. */
export class PluginRegistry {
  readonly #byId = new Map<string, RegisteredPlugin>();
  readonly #byScheme = new Map<string, RegisteredPlugin>();
  /** Resolved instances, in resolution order, keyed by `kind/name` and token. */
  readonly #instances = new Map<string, unknown>();

  /** Indexes `plugins`; they were checked for clashes by the loader, so a clash here is a bug. */
  constructor(plugins: readonly RegisteredPlugin[]) {
    for (const plugin of plugins) {
      const id = `${plugin.kind}/${plugin.name}`;
      if (this.#byId.has(id)) throw createError(ErrorCodes.INTERNAL, `registry: duplicate plugin ${id}`);
      this.#byId.set(id, plugin);
      for (const scheme of plugin.kind === 'source' ? plugin.schemes : []) {
        if (this.#byScheme.has(scheme)) throw createError(ErrorCodes.INTERNAL, `registry: duplicate scheme ${scheme}`);
        this.#byScheme.set(scheme, plugin);
      }
    }
  }

  /** What was loaded, for reports (`d7y plugins`) and logs. */
  list(): PluginInfo[] {
    return [...this.#byId.values()].map(({ container: _container, ...info }) => info);
  }

  /** True if a plugin of `kind` named `name` is loaded. */
  has(kind: PluginKind, name: string): boolean {
    return this.#byId.has(`${kind}/${name}`);
  }

  /** The URL schemes served by source plugins, sorted. */
  schemes(): string[] {
    return [...this.#byScheme.keys()].sort();
  }

  /**
   * The source client for a URL (`https://host/x`, a `URL`) or a bare scheme (`s3`). Throws
   * `D7Y_ERR_UNSUPPORTED_SCHEME` listing the known schemes when no source plugin serves it.
   */
  sourceFor(urlOrScheme: string | URL): SourceClient {
    const scheme = schemeOf(urlOrScheme);
    const plugin = this.#byScheme.get(scheme);
    if (plugin === undefined) {
      throw createError(ErrorCodes.UNSUPPORTED_SCHEME, `no source plugin serves scheme '${scheme}' (known schemes: ${this.schemes().join(', ') || 'none'})`, {
        details: { scheme, knownSchemes: this.schemes() },
      });
    }
    return this.#instance<SourceClient>(plugin, TOKENS.SourceClient);
  }

  /** The evaluator named `name` (`default`, `ml`, or a pluginDir evaluator's name). */
  evaluator(name: string): Evaluator {
    return this.#instance<Evaluator>(this.#plugin('evaluator', name), TOKENS.Evaluator);
  }

  /**
   * The evaluator for `scheduler.algorithm`: with `plugin`, the one evaluator loaded from pluginDir;
   * otherwise the evaluator of that name.
   */
  evaluatorFor(algorithm: string): Evaluator {
    if (algorithm !== 'plugin') return this.evaluator(algorithm);
    const fromDir = [...this.#byId.values()].filter((p) => p.kind === 'evaluator' && p.origin === 'pluginDir');
    if (fromDir.length !== 1) {
      throw createError(ErrorCodes.NOT_FOUND, `scheduler.algorithm is 'plugin' but ${fromDir.length} evaluators were loaded from pluginDir (expected 1)`);
    }
    return this.#instance<Evaluator>(fromDir[0], TOKENS.Evaluator);
  }

  /** The storage engine named `name`. */
  storage(name: string): StorageEngine {
    return this.#instance<StorageEngine>(this.#plugin('storage', name), TOKENS.StorageEngine);
  }

  /** The SQL database driver of database plugin `name` (`sqlite`, `postgres`, `mysql`). */
  database(name: string): DatabaseDriver {
    return this.#instance<DatabaseDriver>(this.#plugin('database', name), TOKENS.DatabaseDriver);
  }

  /** The shared-state backend of database plugin `name` (`redis`). */
  sharedState(name: string): SharedStateBackend {
    return this.#instance<SharedStateBackend>(this.#plugin('database', name), TOKENS.SharedStateBackend);
  }

  /**
   * Calls `close()` on every instance resolved so far, newest first, then forgets them. Every instance is
   * closed even if some fail; failures are then thrown together as one `D7Y_ERR_INTERNAL` error.
   */
  async close(): Promise<void> {
    const entries = [...this.#instances.entries()].reverse();
    this.#instances.clear();
    const errors: string[] = [];
    const causes: unknown[] = [];
    for (const [key, instance] of entries) {
      const closable = instance as Partial<Closable> | null;
      if (typeof closable?.close !== 'function') continue;
      try {
        await closable.close();
      } catch (err) {
        errors.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
        causes.push(err);
      }
    }
    if (errors.length > 0) {
      throw createError(ErrorCodes.INTERNAL, `closing plugins failed:\n  - ${errors.join('\n  - ')}`, { cause: new AggregateError(causes) });
    }
  }

  #plugin(kind: PluginKind, name: string): RegisteredPlugin {
    const plugin = this.#byId.get(`${kind}/${name}`);
    if (plugin === undefined) {
      const known = [...this.#byId.values()].filter((p) => p.kind === kind).map((p) => p.name);
      throw createError(ErrorCodes.NOT_FOUND, `no ${kind} plugin named '${name}' is loaded (loaded: ${known.join(', ') || 'none'})`, {
        details: { kind, name, loaded: known },
      });
    }
    return plugin;
  }

  #instance<T>(plugin: RegisteredPlugin, token: Token): T {
    const key = `${plugin.kind}/${plugin.name} ${describeToken(token)}`;
    if (this.#instances.has(key)) return this.#instances.get(key) as T;
    if (!plugin.container.isRegistered(token)) {
      throw createError(ErrorCodes.NOT_FOUND, `plugin ${plugin.kind}/${plugin.name} (${plugin.from}) provides no ${describeToken(token)}`);
    }
    const instance = plugin.container.resolve<T>(token);
    this.#instances.set(key, instance);
    return instance;
  }
}

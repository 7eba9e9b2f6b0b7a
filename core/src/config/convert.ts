/**
 * Raw-file conversions that run before the schema: other spellings of a key, empty values, and deprecated
 * locations. Each rule is here so that the schemas only know the current names.
 *
 * - Aliases: Dragonfly renamed some keys (`dist*` -> `disk*`, `rateLimit` -> `bandwidthLimit`,
 *   `pprof-port` -> `pprofPort`); both spellings are accepted, giving both is an error.
 * - Empty values: a key written as `key:`, `key: ~` or `key: ''` counts as not set and gets its default, as
 *   in Dragonfly's Go decoding where a zero value means "use the default" (e.g. `workHome: ''`). Free-form
 *   sections (plugin settings, header maps) keep their empty values.
 * - Deprecated locations: the scheduler's `job.redis` fills unset `database.redis` keys (Dragonfly's Convert).
 */
import type { z } from 'zod';

import { formatPath } from './errors.js';
import type { ConfigRole } from './roles.js';
import { schemaNode } from './unknownKeys.js';

/** One accepted spelling of a key: `from` under `parent` means `to`. */
interface Alias {
  readonly parent: readonly string[];
  readonly from: string;
  readonly to: string;
}

const GO_ALIASES: readonly Alias[] = [{ parent: [], from: 'pprof-port', to: 'pprofPort' }];

const ALIASES: Readonly<Record<ConfigRole, readonly Alias[]>> = {
  manager: GO_ALIASES,
  scheduler: GO_ALIASES,
  dfdaemon: [
    { parent: ['gc', 'policy'], from: 'distThreshold', to: 'diskThreshold' },
    { parent: ['gc', 'policy'], from: 'distHighThresholdPercent', to: 'diskHighThresholdPercent' },
    { parent: ['gc', 'policy'], from: 'distLowThresholdPercent', to: 'diskLowThresholdPercent' },
    { parent: ['download'], from: 'rateLimit', to: 'bandwidthLimit' },
    { parent: ['upload'], from: 'rateLimit', to: 'bandwidthLimit' },
    { parent: ['proxy'], from: 'prefetchRateLimit', to: 'prefetchBandwidthLimit' },
  ],
};

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function mappingAt(root: Mapping, path: readonly string[]): Mapping | undefined {
  let current: unknown = root;
  for (const key of path) {
    if (!isMapping(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return isMapping(current) ? current : undefined;
}

/**
 * Renames alias keys to their current names in place. Returns one error line per key given under both
 * names with values.
 */
export function applyAliases(role: ConfigRole, root: Mapping, source: string): string[] {
  const issues: string[] = [];
  for (const alias of ALIASES[role]) {
    const parent = mappingAt(root, alias.parent);
    if (!parent || !Object.hasOwn(parent, alias.from)) continue;
    const value = parent[alias.from];
    delete parent[alias.from];
    if (Object.hasOwn(parent, alias.to) && !isEmpty(parent[alias.to])) {
      if (!isEmpty(value)) {
        const path = formatPath([...alias.parent, alias.from]);
        issues.push(`${source}: ${path}: expected only one of ${alias.from} and ${alias.to} (the same setting), got both`);
      }
      continue;
    }
    parent[alias.to] = value;
  }
  return issues;
}

/**
 * Deletes, in place, keys whose value is empty (`~`, nothing, or `''`), recursing only where the schema knows
 * the keys: free-form sections (plugin settings, header maps) are passed on untouched.
 */
export function dropEmptyValues(schema: z.ZodType, value: unknown): void {
  const node = schemaNode(schema);
  if (node.kind === 'array' && Array.isArray(value)) {
    for (const item of value) dropEmptyValues(node.element, item);
    return;
  }
  if (node.kind !== 'object' || !isMapping(value)) return;
  for (const key of Object.keys(value)) {
    const child = Object.hasOwn(node.shape, key) ? node.shape[key] : undefined;
    if (!child) continue;
    if (isEmpty(value[key])) delete value[key];
    else dropEmptyValues(child, value[key]);
  }
}

/** Moves deprecated locations to current ones, in place (after empty values are dropped). */
export function migrateDeprecated(role: ConfigRole, root: Mapping): void {
  if (role !== 'scheduler') return;
  const legacy = mappingAt(root, ['job', 'redis']);
  if (!legacy) return;
  if (root.database !== undefined && !isMapping(root.database)) return;
  const database = (root.database ??= {}) as Mapping;
  if (database.redis !== undefined && !isMapping(database.redis)) return;
  const current = (database.redis ??= {}) as Mapping;
  for (const key of Object.keys(legacy)) {
    // defineProperty, not assignment: a YAML key named __proto__ must stay a plain (ignored) key.
    if (!Object.hasOwn(current, key)) Object.defineProperty(current, key, { value: legacy[key], enumerable: true, writable: true, configurable: true });
  }
}

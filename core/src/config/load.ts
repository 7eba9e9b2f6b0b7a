/**
 * The config load pipeline: parse -> defaults -> convert -> validate -> freeze, all before DI wiring.
 *
 * 1. parse: YAML with bounded aliases, unique keys and a mapping at the top (`parseYaml.ts`);
 * 2. convert (raw): alias spellings, empty values, deprecated locations (`convert.ts`), and warnings for
 *    unknown keys (`unknownKeys.ts`);
 * 3. defaults + convert (typed) + validate: the role's zod schema fills defaults, turns durations into
 *    milliseconds and sizes into bytes, and checks every key (`schema/`);
 * 4. derived defaults and cross-key checks (`derive.ts`);
 * 5. deep freeze (`freeze.ts`).
 * Every problem found in steps 2-4 is reported together in one `ConfigError`.
 */
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';

import type { z } from 'zod';

import { applyAliases, dropEmptyValues, migrateDeprecated } from './convert.js';
import { derive } from './derive.js';
import { ConfigError, describeFound, formatPath } from './errors.js';
import { deepFreeze } from './freeze.js';
import { parseYaml } from './parseYaml.js';
import { CONFIG_SCHEMAS, type ConfigFor, type ConfigRole } from './roles.js';
import { findUnknownKeys } from './unknownKeys.js';

/** Directory of the default config files, as in Dragonfly (`/etc/dragonfly/<role>.yaml`). */
export const DEFAULT_CONFIG_DIR = '/etc/dragonfly';

/** Environment variables consulted by {@link loadConfig}. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Config file to read; it must exist. Default: `$<ROLE>_CONFIG`, else `/etc/dragonfly/<role>.yaml` if present. */
  readonly path?: string;
  /**
   * Environment, default `process.env`. `<ROLE>_CONFIG` (`MANAGER_CONFIG`, `SCHEDULER_CONFIG`,
   * `DFDAEMON_CONFIG`) names the config file like `--config`, as in Dragonfly.
   */
  readonly env?: ConfigEnv;
  /** Host name used when the file names none; default `os.hostname()`. */
  readonly hostname?: string;
}

/** A loaded config. */
export interface LoadedConfig<R extends ConfigRole> {
  /** The validated, deep-frozen config. Durations are milliseconds, sizes bytes. */
  readonly config: ConfigFor<R>;
  /** Problems that did not stop the load (unknown keys, YAML warnings); the caller prints them. */
  readonly warnings: string[];
  /** The file that was read, or `undefined` when no file was found and only defaults apply. */
  readonly path: string | undefined;
}

/** Options of {@link parseConfig} and {@link defaultConfig}. */
export interface ParseConfigOptions {
  /** Host name used when the file names none; default `os.hostname()`. */
  readonly hostname?: string;
}

/** The default path of a role's config file. */
export function defaultConfigPath(role: ConfigRole): string {
  return join(DEFAULT_CONFIG_DIR, `${role}.yaml`);
}

/** zod's own wording for issues that no field builder worded; used as the per-parse error map. */
function fallbackExpectation(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'object' ? 'mapping' : issue.expected === 'array' ? 'list' : String(issue.expected);
    case 'invalid_value':
      return `one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return `value >= ${String(issue.minimum)}`;
    case 'too_big':
      return `value <= ${String(issue.maximum)}`;
    default:
      return 'valid value';
  }
}

/**
 * Parses config text for a role. `sourceName` prefixes every error and warning line (use the file path).
 * @throws ConfigError (`D7Y_ERR_INVALID_CONFIG`) listing every problem.
 */
export function parseConfig<R extends ConfigRole>(
  role: R,
  yamlText: string,
  sourceName: string,
  options: ParseConfigOptions = {},
): { config: ConfigFor<R>; warnings: string[] } {
  const { value: raw, warnings } = parseYaml(yamlText, sourceName);
  const schema = CONFIG_SCHEMAS[role] as z.ZodType;

  const issues = applyAliases(role, raw, sourceName);
  warnings.push(...findUnknownKeys(schema, raw, sourceName));
  dropEmptyValues(schema, raw);
  migrateDeprecated(role, raw);

  const parsed = schema.safeParse(raw, { reportInput: true, error: fallbackExpectation });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push(`${sourceName}: ${formatPath(issue.path)}: expected ${issue.message}, got ${describeFound(issue.input, issue.path)}`);
    }
    throw new ConfigError(sourceName, issues);
  }
  const derived = derive(role, parsed.data, { source: sourceName, hostname: options.hostname ?? osHostname() });
  issues.push(...derived.issues);
  if (issues.length > 0) throw new ConfigError(sourceName, issues);
  return { config: deepFreeze(derived.config) as ConfigFor<R>, warnings };
}

/** The config a role runs with when it has no file: every default, derived and frozen. */
export function defaultConfig<R extends ConfigRole>(role: R, options: ParseConfigOptions = {}): ConfigFor<R> {
  return parseConfig(role, '', '<defaults>', options).config;
}

async function readConfigFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(path, [`${path}: cannot read the file (${reason})`], { cause: error });
  }
}

/**
 * Loads a role's config file. An explicit path (option or `<ROLE>_CONFIG`) must exist; the default path
 * `/etc/dragonfly/<role>.yaml` may be absent, and then the defaults apply and `path` is `undefined`.
 * @throws ConfigError (`D7Y_ERR_INVALID_CONFIG`) listing every problem, or naming a missing explicit file.
 */
export async function loadConfig<R extends ConfigRole>(role: R, options: LoadConfigOptions = {}): Promise<LoadedConfig<R>> {
  const env = options.env ?? process.env;
  const explicit = options.path ?? (env[`${role.toUpperCase()}_CONFIG`] || undefined);
  const path = explicit ?? defaultConfigPath(role);
  const text = await readConfigFile(path);
  const parseOptions = { hostname: options.hostname };
  if (text === undefined) {
    if (explicit !== undefined) throw new ConfigError(path, [`${path}: config file not found`]);
    return { config: defaultConfig(role, parseOptions), warnings: [], path: undefined };
  }
  const { config, warnings } = parseConfig(role, text, path, parseOptions);
  return { config, warnings, path };
}

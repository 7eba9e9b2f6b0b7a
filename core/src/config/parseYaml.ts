/**
 * Step 1 of the load pipeline: YAML text to a plain mapping, with bounded work.
 *
 * Limits: files over 1 MiB are refused, aliases may expand to at most {@link MAX_ALIAS_COUNT} nodes (no
 * "billion laughs"), duplicate keys are errors, and the top level must be a mapping. An empty file is an
 * empty mapping.
 */
import { parseDocument, type YAMLError, type YAMLWarning } from 'yaml';

import { ConfigError, describeFound } from './errors.js';

/** Most alias expansions a config file may use. */
export const MAX_ALIAS_COUNT = 50;
/** Largest config file accepted, in bytes of text. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The parsed top-level mapping plus YAML warnings (already prefixed with the file name). */
export interface ParsedYaml {
  readonly value: Record<string, unknown>;
  readonly warnings: string[];
}

function yamlProblem(source: string, problem: YAMLError | YAMLWarning): string {
  const message = problem.message.split(/ at line \d+, column \d+/)[0]!.trim();
  const at = problem.linePos?.[0];
  return at ? `${source}: line ${at.line}, column ${at.col}: ${message}` : `${source}: ${message}`;
}

/**
 * Parses config YAML. Syntax errors, duplicate keys, multiple documents, alias bombs and a non-mapping top
 * level all throw one {@link ConfigError} naming the file (and line and column where known).
 */
export function parseYaml(text: string, source: string): ParsedYaml {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    throw new ConfigError(source, [`${source}: file is larger than ${MAX_CONFIG_BYTES} bytes; refusing to parse it`]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: true, version: '1.2' });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((error) => `${yamlProblem(source, error)} (YAML syntax)`),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigError(
      source,
      [`${source}: YAML aliases expand to more than ${MAX_ALIAS_COUNT} nodes; refusing the file (possible alias bomb)`],
      { cause: error },
    );
  }
  const warnings = doc.warnings.map((warning) => yamlProblem(source, warning));
  if (value === null || value === undefined) return { value: {}, warnings };
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ConfigError(source, [`${source}: (top level): expected mapping, got ${describeFound(value)}`]);
  }
  return { value: value as Record<string, unknown>, warnings };
}

/**
 * The one error a config load throws, and the wording of its lines.
 *
 * Every problem is one line, `<file>: <key.path>: expected <type>, got <what was found>`, so that an operator
 * can fix a whole file in one pass. Values of secret-looking keys are never echoed.
 */
import { D7yError, ErrorCodes } from '../plugin-api/errors.js';

/** A failed config load; `issues` holds one line per problem. Code: `D7Y_ERR_INVALID_CONFIG`. */
export class ConfigError extends D7yError {
  /** One line per problem, each starting with the file name. */
  readonly issues: readonly string[];

  constructor(source: string, issues: readonly string[], options: { cause?: unknown } = {}) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(ErrorCodes.INVALID_CONFIG, `invalid config ${source} (${count}):\n  ${issues.join('\n  ')}`, {
      details: { source, issues: [...issues] },
      cause: options.cause,
    });
    this.name = 'ConfigError';
    this.issues = Object.freeze([...issues]);
  }
}

/** Renders a key path like `proxy.rules[0].regex`; the empty path is `(top level)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

const SECRET_KEY = /(password|secret|token|^key$|Key$)/;
const MAX_SHOWN = 60;

/** Describes a found value for an error line: `string "five"`, `number 5`, `list of 2 items`, `nothing`. */
export function describeFound(value: unknown, path: readonly PropertyKey[] = []): string {
  const last = path.length > 0 ? String(path[path.length - 1]) : '';
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (SECRET_KEY.test(last)) return `string (${value.length} characters, not shown)`;
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return SECRET_KEY.test(last) ? `${typeof value} (not shown)` : `${typeof value} ${String(value)}`;
  }
  if (Array.isArray(value)) return value.length === 1 ? 'list of 1 item' : `list of ${value.length} items`;
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Date) return 'timestamp';
  if (typeof value === 'object') return 'mapping';
  return typeof value;
}

/** One error line: `<file>: <key.path>: expected <expected>, got <found>`. */
export function issueLine(source: string, path: readonly PropertyKey[], expected: string, found: unknown): string {
  return `${source}: ${formatPath(path)}: expected ${expected}, got ${describeFound(found, path)}`;
}

/**
 * Step 4 of the pipeline: check the exported value structurally. Never `instanceof`: a plugin may be made by
 * another copy of `definePlugin` (or by hand), so the brand strings and the field shapes are what count.
 */
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import { PLUGIN_KINDS, PLUGIN_TYPE_TAG, PLUGIN_TYPE_VERSION, type Plugin } from '../plugin-api/definePlugin.js';

/** Plugin names: lower-case letters, digits and dashes, starting with a letter or digit. */
export const PLUGIN_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** API versions: `MAJOR.MINOR`. */
export const API_VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
/** URL schemes (RFC 3986), lower case, without `:`. */
export const SCHEME_PATTERN = /^[a-z][a-z0-9+.-]*$/;

/** A short description of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    default:
      return 'an object';
  }
}

function checkSchemes(kind: unknown, schemes: unknown, at: string, issues: string[]): void {
  if (kind !== 'source') {
    if (schemes !== undefined) issues.push(`${at}.schemes: only plugins of kind source declare schemes, received ${describeValue(schemes)}`);
    return;
  }
  if (!Array.isArray(schemes) || schemes.length === 0) {
    issues.push(`${at}.schemes: expected a non-empty array of URL schemes for kind source, received ${describeValue(schemes)}`);
    return;
  }
  schemes.forEach((scheme: unknown, i) => {
    if (typeof scheme !== 'string' || !SCHEME_PATTERN.test(scheme)) {
      issues.push(`${at}.schemes[${i}]: expected a lower-case URL scheme without ':', received ${describeValue(scheme)}`);
    } else if (schemes.indexOf(scheme) !== i) {
      issues.push(`${at}.schemes[${i}]: scheme ${describeValue(scheme)} is listed twice`);
    }
  });
}

/**
 * The problems with `value` as a plugin, each prefixed with its path (`default export.name: expected ...,
 * received ...`). Empty when `value` is a valid plugin.
 */
export function pluginIssues(value: unknown, at = 'default export'): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${at}: expected a plugin object made with definePlugin(), received ${describeValue(value)}`];
  }
  const v = value as Record<string, unknown>;
  if (v.$$type !== PLUGIN_TYPE_TAG) {
    return [`${at}.$$type: expected '${PLUGIN_TYPE_TAG}' (default-export definePlugin({...})), received ${describeValue(v.$$type)}`];
  }
  const issues: string[] = [];
  if (v.version !== PLUGIN_TYPE_VERSION) {
    issues.push(`${at}.version: expected plugin object version '${PLUGIN_TYPE_VERSION}', received ${describeValue(v.version)}`);
  }
  if (typeof v.kind !== 'string' || !(PLUGIN_KINDS as readonly string[]).includes(v.kind)) {
    issues.push(`${at}.kind: expected one of ${PLUGIN_KINDS.join(', ')}, received ${describeValue(v.kind)}`);
  }
  if (typeof v.name !== 'string' || !PLUGIN_NAME_PATTERN.test(v.name)) {
    issues.push(`${at}.name: expected a non-empty lower-case name of [a-z0-9-] (at most 64 characters), received ${describeValue(v.name)}`);
  }
  if (typeof v.apiVersion !== 'string' || !API_VERSION_PATTERN.test(v.apiVersion)) {
    issues.push(`${at}.apiVersion: expected 'MAJOR.MINOR', received ${describeValue(v.apiVersion)}`);
  }
  checkSchemes(v.kind, v.schemes, at, issues);
  if (v.overrides !== undefined && typeof v.overrides !== 'boolean') {
    issues.push(`${at}.overrides: expected a boolean, received ${describeValue(v.overrides)}`);
  }
  if (typeof v.register !== 'function') {
    issues.push(`${at}.register: expected a function, received ${describeValue(v.register)}`);
  }
  if (v.configSchema !== undefined) {
    const schema = v.configSchema as { safeParse?: unknown } | null;
    if (typeof schema !== 'object' || schema === null || typeof schema.safeParse !== 'function') {
      issues.push(`${at}.configSchema: expected an object with a safeParse() function, received ${describeValue(v.configSchema)}`);
    }
  }
  return issues;
}

/** Returns `value` as a plugin or throws `D7Y_ERR_PLUGIN_INVALID` listing every issue. */
export function validatePlugin(value: unknown): Plugin {
  const issues = pluginIssues(value);
  if (issues.length > 0) throw createError(ErrorCodes.PLUGIN_INVALID, `not a valid plugin: ${issues.join('; ')}`, { details: { issues } });
  return value as Plugin;
}

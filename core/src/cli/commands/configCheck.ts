import { stringify } from 'yaml';

import { CONFIG_ROLES, type ConfigRole, loadConfig } from '../../config/index.js';
import { createError, ErrorCodes } from '../../plugin-api/errors.js';

/** Checks a role's config file; prints warnings to stderr and the effective config (defaults filled) to stdout. */
export async function configCheck(flags: { role?: string; config?: string }): Promise<void> {
  const role = parseRole(flags.role);
  const { config, warnings, path } = await loadConfig(role, { path: flags.config });
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stderr.write(`${path ?? `(no file; defaults for ${role})`}: valid\n`);
  process.stdout.write(`# effective ${role} config (durations in milliseconds, sizes in bytes)\n`);
  process.stdout.write(stringify(config, { aliasDuplicateObjects: false }));
}

/** Validates a `--role` value. */
export function parseRole(value: string | undefined): ConfigRole {
  if (value === undefined) throw createError(ErrorCodes.INVALID_ARGUMENT, `--role is required: one of ${CONFIG_ROLES.join(', ')}`);
  if (!(CONFIG_ROLES as readonly string[]).includes(value)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `--role must be one of ${CONFIG_ROLES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as ConfigRole;
}

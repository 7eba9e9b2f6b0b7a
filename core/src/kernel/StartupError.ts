/**
 * The one error a role's start-up throws when plugins fail: every failure, each on its own line.
 */
import { D7yError, ErrorCodes } from '../plugin-api/errors.js';
import { formatFailure } from './failures.js';
import type { PluginFailure, PluginRole } from './types.js';

/** Aggregates every plugin failure of one start-up (code `D7Y_ERR_STARTUP`); recognise it by `code`. */
export class StartupError extends D7yError {
  /** Every failure, in the order found: collection, then per-candidate checks, then clashes, then register(). */
  readonly failures: readonly PluginFailure[];

  constructor(role: PluginRole, failures: readonly PluginFailure[]) {
    const count = failures.length === 1 ? '1 plugin failure' : `${failures.length} plugin failures`;
    const lines = failures.map((failure) => `  - ${formatFailure(failure)}`);
    super(ErrorCodes.STARTUP, [`${role} cannot start: ${count}`, ...lines].join('\n'), {
      details: {
        role,
        failures: failures.map(({ cause: _cause, ...rest }) => rest),
      },
    });
    this.name = 'StartupError';
    this.failures = Object.freeze([...failures]);
  }
}

import { isD7yError } from '../plugin-api/errors.js';

/** Exit code for bad input (flags, config). */
export const EXIT_USAGE = 2;
/** Exit code for every other failure. */
export const EXIT_FAILURE = 1;

/**
 * Prints an error for a person and exits. Coded errors print their message (which names what was wrong);
 * anything else is a bug and prints its stack.
 */
export function exitWithError(prefix: string, error: unknown): never {
  if (isD7yError(error)) {
    process.stderr.write(`${prefix}: ${error.message}\n`);
    const usage = error.code === 'D7Y_ERR_INVALID_CONFIG' || error.code === 'D7Y_ERR_INVALID_ARGUMENT';
    process.exit(usage ? EXIT_USAGE : EXIT_FAILURE);
  }
  process.stderr.write(`${prefix}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(EXIT_FAILURE);
}

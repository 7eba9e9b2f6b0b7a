/**
 * Failure records: how an error met while loading a plugin becomes one line of the start-up report.
 */
import { ErrorCodes, isD7yError, type ErrorCode } from '../plugin-api/errors.js';
import type { PluginCandidate } from './candidates.js';
import type { PluginFailure } from './types.js';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));

/**
 * The code to report for an error: its own `D7Y_ERR_*` code when it is one this kernel knows (whichever copy
 * of the errors module made it), else `fallback`.
 */
export function failureCode(err: unknown, fallback: ErrorCode = ErrorCodes.PLUGIN_LOAD): ErrorCode {
  return isD7yError(err) && KNOWN_CODES.has(err.code) ? err.code : fallback;
}

/** Builds the failure record of a candidate from the error that stopped it. */
export function candidateFailure(candidate: PluginCandidate, from: string, id: string | undefined, err: unknown): PluginFailure {
  const reason = typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
  return {
    ...(id === undefined ? {} : { id }),
    origin: candidate.origin,
    ...(candidate.specifier === undefined ? {} : { specifier: candidate.specifier }),
    from,
    code: failureCode(err),
    reason,
    cause: err,
  };
}

/**
 * One line for a failure: `[CODE] kind/name (origin specifier) from: reason`, e.g.
 * `[D7Y_ERR_PLUGIN_API_MISMATCH] source/old (pluginDir) /plugins/backend/old.js: plugin API 2.0, kernel plugin API 1.0: major versions differ`.
 */
export function formatFailure(failure: PluginFailure): string {
  const specifier = failure.specifier !== undefined && failure.specifier !== failure.from ? ` ${failure.specifier}` : '';
  const who = `${failure.id === undefined ? '' : `${failure.id} `}(${failure.origin}${specifier})`;
  return `[${failure.code}] ${who} ${failure.from}: ${failure.reason}`;
}

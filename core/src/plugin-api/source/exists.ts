import { ErrorCodes, isD7yError } from '../errors.js';

/**
 * `SourceClient.exists` in terms of `stat`: true when `stat` succeeds, false when it fails with
 * `D7Y_ERR_NOT_FOUND`; any other failure (denied, unavailable…) is thrown, so "missing" never hides "broken".
 */
export async function existsByStat(stat: () => Promise<unknown>): Promise<boolean> {
  try {
    await stat();
    return true;
  } catch (error) {
    if (isD7yError(error) && error.code === ErrorCodes.NOT_FOUND) return false;
    throw error;
  }
}

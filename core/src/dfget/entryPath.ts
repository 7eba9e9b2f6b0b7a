/**
 * Where a file of a directory listing goes on disk. Listings come from remote servers, so each entry URL
 * is checked before it names a local path: it must lie below the directory URL (same scheme and host), and
 * its relative path must have no empty, `.` or `..` segments, no backslashes or NUL bytes, and must stay
 * inside the output directory once joined to it.
 */
import { resolve, sep } from 'node:path';

import { createError, ErrorCodes } from '../common/errors.js';

/** The URL of a directory with its path ending in `/`, so that entries are compared below it. */
export function directoryUrl(url: string): URL {
  const parsed = new URL(url);
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  parsed.search = '';
  parsed.hash = '';
  return parsed;
}

/**
 * The path of `entryUrl` relative to `base` (`a/b.txt`), percent-decoded. Throws
 * `D7Y_ERR_INVALID_ARGUMENT` saying why for an entry outside the directory or an unsafe path.
 */
export function relativeEntryPath(base: URL, entryUrl: string): string {
  let entry: URL;
  try {
    entry = new URL(entryUrl);
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `listing entry ${JSON.stringify(entryUrl)} is not a URL`);
  }
  if (entry.protocol !== base.protocol || entry.host !== base.host || !entry.pathname.startsWith(base.pathname)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `listing entry ${entry.protocol}//${entry.host}${entry.pathname} is outside ${base.protocol}//${base.host}${base.pathname}`);
  }
  const segments = entry.pathname.slice(base.pathname.length).split('/');
  const decoded = segments.map((segment) => {
    let text: string;
    try {
      text = decodeURIComponent(segment);
    } catch {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `listing entry ${entryUrl} has invalid percent-encoding`);
    }
    if (text === '' || text === '.' || text === '..' || /[/\\\0]/.test(text)) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `listing entry ${entryUrl} has an unsafe path segment ${JSON.stringify(text)}`);
    }
    return text;
  });
  return decoded.join('/');
}

/** `dir/relative`, refusing (`D7Y_ERR_INVALID_ARGUMENT`) anything that would land outside `dir`. */
export function outputPathFor(dir: string, relative: string): string {
  const root = resolve(dir);
  const target = resolve(root, relative);
  if (!target.startsWith(root + sep)) throw createError(ErrorCodes.INVALID_ARGUMENT, `${JSON.stringify(relative)} would be written outside ${root}`);
  return target;
}

/**
 * Mapping a request path to what the console serves. API paths never reach the console: a path whose first
 * segment is `api`, `oapi`, `healthy` or Harbor's `preheats` / `_ping` (in any letter case, after any number of leading slashes) is an API
 * path that no declared route matched, and answers the API's JSON 404.
 */
import { resolve, sep } from 'node:path';

/** What to answer for a path under the console. */
export type ConsoleTarget =
  | { readonly kind: 'api' }
  | { readonly kind: 'file'; readonly file: string }
  /** A client-side route of the single-page app: answer `index.html`. */
  | { readonly kind: 'app' }
  /** A missing or refused file (an extension, `..`, NUL): 404, never the app. */
  | { readonly kind: 'missing' };

const API_SEGMENTS = new Set(['api', 'oapi', 'healthy', 'preheats', '_ping']);

/**
 * Classifies the wildcard part of a console request (`rel`, without the leading `/`, already URL-decoded).
 * `exists(file)` tells whether a regular file is there.
 */
export function consoleTarget(dir: string, rel: string, exists: (file: string) => boolean): ConsoleTarget {
  const trimmed = rel.replace(/^\/+/, '');
  const first = trimmed.split('/', 1)[0].toLowerCase();
  if (API_SEGMENTS.has(first)) return { kind: 'api' };
  if (trimmed === '') return { kind: 'app' };
  if (trimmed.includes('\0') || trimmed.split(/[\\/]/).some((part) => part === '..')) return { kind: 'missing' };
  const file = resolve(dir, trimmed);
  if (!file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return { kind: 'missing' };
  if (exists(file)) return { kind: 'file', file };
  const last = trimmed.split('/').pop() ?? '';
  return last.includes('.') ? { kind: 'missing' } : { kind: 'app' };
}

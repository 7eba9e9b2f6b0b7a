/**
 * Glob patterns for `--include-files`, matched against paths relative to the downloaded directory:
 * `*` matches within one path segment, `**` across segments (`**\/` also matches no segment), `?` one
 * character other than `/`, `[...]` a character class. Everything else matches itself.
 */
import { createError, ErrorCodes } from '../common/errors.js';

/** Compiles `pattern` to an anchored regular expression; `D7Y_ERR_INVALID_ARGUMENT` for an unclosed class. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        source += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else source += '[^/]*';
    } else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw createError(ErrorCodes.INVALID_ARGUMENT, `--include-files: unclosed [ in ${JSON.stringify(pattern)}`);
      const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** A matcher for several patterns (any may match); with none, everything matches. */
export function includeMatcher(patterns: readonly string[]): (path: string) => boolean {
  const compiled = patterns.map(globToRegExp);
  return compiled.length === 0 ? () => true : (path) => compiled.some((re) => re.test(path));
}

/**
 * Rewrites the portable `?` placeholders to PostgreSQL's `$1..$n`. A `?` inside a string literal
 * (`'…'`, `E'…'`, `$tag$…$tag$`), a quoted identifier (`"…"`) or a comment (`--`, nested `/* … *\/`) is left
 * alone. Values are never spliced into the text: they travel as bind parameters. PostgreSQL's own `?`, `?|`
 * and `?&` jsonb operators therefore cannot be written; use `jsonb_exists()` and friends.
 */
export function toPostgresPlaceholders(sql: string): { text: string; count: number } {
  let out = '';
  let count = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    let end: number;
    if (c === '?') {
      out += `$${++count}`;
      i++;
      continue;
    }
    if (c === "'") end = endOfQuoted(sql, i, "'", isEscapeString(sql, i));
    else if (c === '"') end = endOfQuoted(sql, i, '"', false);
    else if (c === '-' && next === '-') end = endOfLine(sql, i);
    else if (c === '/' && next === '*') end = endOfBlockComment(sql, i);
    else if (c === '$' && !isIdentChar(sql[i - 1])) end = endOfDollarQuote(sql, i);
    else end = i + 1;
    out += sql.slice(i, end);
    i = end;
  }
  return { text: out, count };
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

/** `E'…'` strings take backslash escapes (the E must start a token). */
function isEscapeString(sql: string, quote: number): boolean {
  const prev = sql[quote - 1];
  return (prev === 'E' || prev === 'e') && !isIdentChar(sql[quote - 2]);
}

/** Index after the closing quote; a doubled quote is an escaped quote. Unterminated: end of text. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function endOfLine(sql: string, start: number): number {
  const newline = sql.indexOf('\n', start);
  return newline === -1 ? sql.length : newline + 1;
}

function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** `$tag$ … $tag$` (tag may be empty); a `$` that does not open one (as in `$1`) is a single character. */
function endOfDollarQuote(sql: string, start: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(start, start + 66));
  if (match === null) return start + 1;
  const tag = match[0];
  const close = sql.indexOf(tag, start + tag.length);
  return close === -1 ? sql.length : close + tag.length;
}

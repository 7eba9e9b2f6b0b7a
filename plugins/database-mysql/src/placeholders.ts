/**
 * Counts the `?` placeholders of a MySQL statement, skipping string literals (`'…'`, with `''` and backslash
 * escapes), quoted identifiers (`"…"` under the ANSI_QUOTES mode the driver sets, and `` `…` ``) and comments
 * (`#`, `-- `, `/* … *\/`). mysql2 silently drops surplus parameters, so the driver compares this count with the
 * parameters it was given.
 */
export function countPlaceholders(sql: string): number {
  let count = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '?') count++;
    if (c === "'" || c === '"' || c === '`') i = endOfQuoted(sql, i, c);
    else if (c === '#' || (c === '-' && next === '-' && /[\s]/.test(sql[i + 2] ?? '\n'))) i = endOfLine(sql, i);
    else if (c === '/' && next === '*') i = endOfComment(sql, i);
    else i++;
  }
  return count;
}

function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '\\' && quote === "'") {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return sql.length;
}

function endOfLine(sql: string, start: number): number {
  const newline = sql.indexOf('\n', start);
  return newline === -1 ? sql.length : newline + 1;
}

function endOfComment(sql: string, start: number): number {
  const close = sql.indexOf('*/', start + 2);
  return close === -1 ? sql.length : close + 2;
}

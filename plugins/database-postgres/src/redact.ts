import type { SqlValue } from '@d7y/core/plugin-api';

const QUOTED = /'((?:[^']|'')*)'|"((?:[^"]|"")*)"|`([^`]*)`/g;

/**
 * Removes parameter values (and the connection password) from a server error message before it becomes part
 * of a coded error. Servers echo values in quotes ("Duplicate entry 'x'", `invalid input syntax for type
 * integer: "x"`), sometimes truncated, so every quoted fragment that overlaps a parameter's text is replaced
 * by `?`; string parameters of 4+ characters are also removed where they appear unquoted. Errs on the side of
 * hiding an identifier now and then. Identical copies live in each SQL database plugin.
 */
export function redact(message: string, params: readonly SqlValue[] | undefined, secret?: string): string {
  let text = message;
  if (secret) text = text.split(secret).join('***');
  const values = (params ?? []).map(printable).filter((value): value is string => value !== undefined && value !== '');
  if (values.length === 0) return text;
  text = text.replace(QUOTED, (whole, single?: string, double?: string, back?: string) => {
    const fragment = single ?? double ?? back ?? '';
    if (fragment === '') return whole;
    const overlaps = values.some((value) => fragment.includes(value) || value.includes(fragment));
    return overlaps ? `${whole[0]}?${whole[0]}` : whole;
  });
  for (const value of values) if (value.length >= 4) text = text.split(value).join('?');
  return text;
}

function printable(value: SqlValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return undefined;
}

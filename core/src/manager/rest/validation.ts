/**
 * Request validation with zod. A failure is `D7Y_ERR_INVALID_ARGUMENT` naming the first bad field, which the
 * error handler turns into 422 `{code, message, field}`.
 */
import type { z } from 'zod';

import { createError, ErrorCodes } from '../../common/errors.js';

/** Parses `value` with `schema`; `where` (`body`, `query`, `params`) prefixes the field name when the path is empty. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : where;
  throw createError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${issue.message}`, { details: { field } });
}

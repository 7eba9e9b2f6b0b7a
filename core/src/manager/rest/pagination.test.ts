import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, paginationQuery } from './pagination.js';
import { validate } from './validation.js';

const schema = z.object(paginationQuery);
const fieldOf = (query: Record<string, string>) => {
  try {
    validate(schema, query, 'query');
    return undefined;
  } catch (error) {
    return (error as { code: string; details: { field: string } }).details.field;
  }
};

describe('pagination query', () => {
  it('defaults to page 1 of 10 and accepts bounds inclusive', () => {
    expect(validate(schema, {}, 'query')).toEqual({ page: 1, per_page: DEFAULT_PER_PAGE });
    expect(validate(schema, { page: String(MAX_PAGE), per_page: String(MAX_PER_PAGE) }, 'query')).toEqual({ page: MAX_PAGE, per_page: MAX_PER_PAGE });
  });

  it('refuses anything but a plain whole number within bounds, naming the parameter', () => {
    for (const bad of ['0', '-1', '1e3', '0x10', '1.5', ' 1', '', '99999999999', String(MAX_PER_PAGE + 1)]) expect(fieldOf({ per_page: bad }), bad).toBe('per_page');
    for (const bad of ['0', String(MAX_PAGE + 1), "1' OR 1=1--", '4611686018427387904']) expect(fieldOf({ page: bad }), bad).toBe('page');
  });
});

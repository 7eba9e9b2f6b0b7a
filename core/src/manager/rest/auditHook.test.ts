import { describe, expect, it } from 'vitest';

import { isAudited } from './auditHook.js';

describe('isAudited', () => {
  it('records every mutating method and every open-API call, not console reads', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(isAudited(method, '/api/v1/users')).toBe(true);
    expect(isAudited('GET', '/oapi/v1/clusters')).toBe(true);
    expect(isAudited('GET', '/api/v1/users')).toBe(false);
    expect(isAudited('HEAD', '/healthy')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';

import { access } from './access.js';
import { invalidatesSchedulerLists } from './schedulerListHook.js';

describe('invalidatesSchedulerLists', () => {
  it.each([
    ['POST', 200, access.jwt('clusters'), true],
    ['PATCH', 200, access.jwt('scheduler-clusters'), true],
    ['DELETE', 200, access.jwt('schedulers'), true],
    ['PUT', 200, access.pat('cluster', 'clusters'), true],
    ['GET', 200, access.jwt('clusters'), false],
    ['POST', 422, access.jwt('clusters'), false],
    ['POST', 200, access.jwt('applications'), false],
    ['POST', 200, access.public(), false],
    ['POST', 200, undefined, false],
  ] as const)('%s %i on %o -> %s', (method, status, rule, expected) => {
    expect(invalidatesSchedulerLists(method, status, rule)).toBe(expected);
  });
});

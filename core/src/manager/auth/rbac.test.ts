import { describe, expect, it } from 'vitest';

import { actionFor, isAllowed } from './rbac.js';

describe('RBAC rules', () => {
  it('needs read for GET and HEAD, * for every other method', () => {
    expect(['GET', 'HEAD'].map(actionFor)).toEqual(['read', 'read']);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(actionFor)).toEqual(['*', '*', '*', '*', '*']);
  });

  it('allows an action only on the group named, with * covering read', () => {
    const permissions = [{ object: 'clusters', action: '*' as const }, { object: 'users', action: 'read' as const }];
    expect(isAllowed(permissions, 'clusters', 'read')).toBe(true);
    expect(isAllowed(permissions, 'clusters', '*')).toBe(true);
    expect(isAllowed(permissions, 'users', 'read')).toBe(true);
    expect(isAllowed(permissions, 'users', '*')).toBe(false);
    expect(isAllowed(permissions, 'roles', 'read')).toBe(false);
    expect(isAllowed([], 'clusters', 'read')).toBe(false);
  });
});

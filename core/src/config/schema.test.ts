import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

import { CONFIG_ROLES, CONFIG_SCHEMAS } from './roles.js';
import { editDistance, schemaNode, suggestKey } from './unknownKeys.js';

/** Every key path under a schema, with its description (undefined when missing). */
function keyDescriptions(schema: z.ZodType, prefix = ''): Array<[string, string | undefined]> {
  const node = schemaNode(schema);
  if (node.kind === 'array') return keyDescriptions(node.element, `${prefix}[]`);
  if (node.kind !== 'object') return [];
  return Object.entries(node.shape).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [[path, child.description] as [string, string | undefined], ...keyDescriptions(child, path)];
  });
}

describe('schemas', () => {
  it.each(CONFIG_ROLES)('every %s key has a description (the operator reference is generated from them)', (role) => {
    const entries = keyDescriptions(CONFIG_SCHEMAS[role] as z.ZodType);
    expect(entries.length).toBeGreaterThan(50);
    expect(entries.filter(([, text]) => !text).map(([path]) => path)).toEqual([]);
    expect(CONFIG_SCHEMAS[role].description).toBeTruthy();
  });

  it('marks each d7y addition as such', () => {
    const described = new Map(CONFIG_ROLES.flatMap((role) => keyDescriptions(CONFIG_SCHEMAS[role] as z.ZodType).map(([p, d]) => [`${role}:${p}`, d])));
    for (const key of ['dfdaemon:scheduler.netAddrs', 'dfdaemon:egress', 'manager:egress.maxRedirects', 'scheduler:plugins', 'manager:database.sqlite']) {
      expect(described.get(key), key).toMatch(/d7y addition/);
    }
  });
});

describe('key suggestions', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['caCret', 'caCert', 1],
    ['enableipv6', 'enableIPv6', 0],
    ['', 'abc', 3],
  ])('distance(%j, %j) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it.each([
    ['autoIssueCrt', ['autoIssueCert', 'caCert', 'tlsPolicy'], 'autoIssueCert'],
    ['tlspolicy', ['autoIssueCert', 'caCert', 'tlsPolicy'], 'tlsPolicy'],
    ['enableIPv4', ['enableIPv6'], 'enableIPv6'],
    ['completelyDifferent', ['port', 'addr'], undefined],
    ['ip', ['id', 'port'], 'id'],
  ])('suggests for %j', (key, known, expected) => {
    expect(suggestKey(key, known)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';

import { HashRing } from './hashRing.js';

describe('HashRing', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `task-${i}`);

  it('spreads keys over members and lists every member once, owner first', () => {
    const ring = new HashRing(['a:1', 'b:2', 'c:3']);
    const owners = new Map<string, number>();
    for (const key of keys) {
      const order = ring.lookup(key);
      expect(new Set(order).size).toBe(3);
      owners.set(order[0]!, (owners.get(order[0]!) ?? 0) + 1);
    }
    for (const count of owners.values()) expect(count).toBeGreaterThan(2000 / 3 / 2);
  });

  it('moves only the keys of a removed member', () => {
    const full = new HashRing(['a', 'b', 'c']);
    const reduced = new HashRing(['a', 'b']);
    for (const key of keys) {
      const owner = full.lookup(key)[0]!;
      if (owner !== 'c') expect(reduced.lookup(key)[0]).toBe(owner);
    }
  });

  it('is deterministic and empty-safe', () => {
    expect(new HashRing(['x', 'y']).lookup('k')).toEqual(new HashRing(['y', 'x']).lookup('k'));
    expect(new HashRing([]).lookup('k')).toEqual([]);
  });
});

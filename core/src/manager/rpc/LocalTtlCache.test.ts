import { describe, expect, it } from 'vitest';

import { LocalTtlCache } from './LocalTtlCache.js';

describe('LocalTtlCache', () => {
  it('expires entries after the TTL', () => {
    let now = 0;
    const cache = new LocalTtlCache<string>(10, 100, () => now);
    cache.set('a', 'x');
    now = 99;
    expect(cache.get('a')).toBe('x');
    now = 100;
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new LocalTtlCache<number>(2, 1000);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

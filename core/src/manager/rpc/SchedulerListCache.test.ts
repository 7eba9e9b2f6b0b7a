import { describe, expect, it } from 'vitest';

import { createError, ErrorCodes } from '../../common/errors.js';
import { InProcessSharedState } from '../../common/sharedState/index.js';
import { silentLogger } from '../../kernel/defaults.js';
import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';
import { invalidateSchedulerLists, SchedulerListCache } from './SchedulerListCache.js';

const options = { localSize: 10, localTtlMs: 60_000, sharedTtlMs: 60_000 };

describe('SchedulerListCache', () => {
  it('round-trips values holding Buffers through the shared state', async () => {
    const shared = new InProcessSharedState();
    const writer = new SchedulerListCache<{ features: Buffer }>(shared, options, silentLogger);
    const reader = new SchedulerListCache<{ features: Buffer }>(shared, options, silentLogger);
    await writer.set('k', { features: Buffer.from('["schedule"]') });
    const value = await reader.get('k');
    expect(Buffer.isBuffer(value?.features)).toBe(true);
    expect(value?.features.toString()).toBe('["schedule"]');
    await shared.close();
  });

  it('drops every entry on invalidate, on this replica and on others', async () => {
    const shared = new InProcessSharedState();
    const a = new SchedulerListCache<number>(shared, options, silentLogger);
    const b = new SchedulerListCache<number>(shared, options, silentLogger);
    await a.set('k', 1);
    expect(await b.get('k')).toBe(1);
    await b.invalidate();
    expect(await a.get('k')).toBeUndefined();
    expect(await b.get('k')).toBeUndefined();
    await shared.close();
  });

  it('is invalidated by invalidateSchedulerLists on the shared state (what the REST API calls)', async () => {
    const shared = new InProcessSharedState();
    const cache = new SchedulerListCache<number>(shared, options, silentLogger);
    await cache.set('k', 1);
    await invalidateSchedulerLists(shared);
    expect(await cache.get('k')).toBeUndefined();
    await shared.close();
  });

  it('treats a broken shared state as a miss and keeps working locally', async () => {
    const down = (): never => {
      throw createError(ErrorCodes.UNAVAILABLE, 'redis is down');
    };
    const broken = { get: async () => down(), set: async () => down() } as unknown as SharedStateBackend;
    const cache = new SchedulerListCache<number>(broken, options, silentLogger);
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', 7);
    expect(await cache.get('k')).toBe(7);
    await cache.invalidate();
    expect(await cache.get('k')).toBeUndefined();
  });

  it('keys requests by every field, with a bounded length', () => {
    const a = SchedulerListCache.keyOf(['PEER_SOURCE', 'h', '10.0.0.1', '', '', 'v1', 0]);
    const b = SchedulerListCache.keyOf(['PEER_SOURCE', 'h', '10.0.0.1', 'idc', '', 'v1', 0]);
    expect(a).not.toBe(b);
    expect(SchedulerListCache.keyOf(['x'.repeat(5000)]).length).toBeLessThan(100);
  });
});

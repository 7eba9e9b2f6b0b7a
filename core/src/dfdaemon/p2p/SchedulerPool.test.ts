import { describe, expect, it } from 'vitest';

import { createMemoryLogger } from '../../kernel/index.js';
import { SchedulerPool } from './SchedulerPool.js';

describe('SchedulerPool.setSchedulers', () => {
  it('swaps members without a restart and reports whether anything changed', () => {
    const logger = createMemoryLogger();
    const pool = new SchedulerPool(['127.0.0.1:1'], () => ({}), 60_000, logger);
    try {
      expect(pool.setSchedulers(['127.0.0.1:1'])).toBe(false);
      expect(pool.setSchedulers(['127.0.0.1:1', '127.0.0.1:2'])).toBe(true);
      expect(pool.addrs().sort()).toEqual(['127.0.0.1:1', '127.0.0.1:2']);
      expect(pool.setSchedulers(['127.0.0.1:2'])).toBe(true);
      expect(pool.addrs()).toEqual(['127.0.0.1:2']);
      expect(pool.schedulersFor('task-1').map((s) => s.addr)).toEqual(['127.0.0.1:2']);
      expect(pool.setSchedulers([])).toBe(true);
      expect(pool.schedulersFor('task-1')).toEqual([]);
    } finally {
      pool.stop();
    }
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';

import { silentLogger } from '../../common/logging.js';
import { PeerSyncTimer } from './peerSync.js';

describe('PeerSyncTimer', () => {
  afterEach(() => vi.useRealTimers());

  it('starts a sync after the first delay, then every interval, also after a failed start; stops', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const timer = new PeerSyncTimer(
      async () => {
        calls++;
        if (calls === 2) throw new Error('no active scheduler');
        return { id: calls };
      },
      { firstDelayMs: 60_000, intervalMs: 24 * 3600_000 },
      silentLogger(),
    );
    timer.start();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(calls).toBe(3);
    timer.stop();
    await vi.advanceTimersByTimeAsync(48 * 3600_000);
    expect(calls).toBe(3);
  });
});

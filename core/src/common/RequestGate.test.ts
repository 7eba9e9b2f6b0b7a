import { describe, expect, it } from 'vitest';

import { RequestGate } from './RequestGate.js';

describe('RequestGate', () => {
  it('passes a burst of `rate` at once, queues up to `bufferSize` more, and refuses the rest', async () => {
    const gate = new RequestGate(5, 2);
    const immediate = await Promise.all(Array.from({ length: 5 }, () => gate.admit()));
    expect(immediate).toEqual([true, true, true, true, true]);
    const queued = [gate.admit(), gate.admit()];
    expect(gate.waiting).toBe(2);
    expect(await gate.admit()).toBe(false);
    expect(await Promise.all(queued)).toEqual([true, true]);
    expect(gate.waiting).toBe(0);
  });

  it('with no buffer, refuses as soon as the tokens are gone', async () => {
    const gate = new RequestGate(1, 0);
    expect(await gate.admit()).toBe(true);
    expect(await gate.admit()).toBe(false);
  });
});

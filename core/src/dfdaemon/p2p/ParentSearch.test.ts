import { describe, expect, it } from 'vitest';

import { ParentSearch } from './ParentSearch.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ParentSearch', () => {
  it('asks on each delay while more parents are wanted, then stops after the last delay', async () => {
    let asks = 0;
    const search = new ParentSearch(() => true, () => asks++, [10, 10, 10]);
    search.start();
    search.start(); // idempotent while a timer is pending
    await sleep(120);
    expect(asks).toBe(3);
  });

  it('does not ask once the child no longer needs parents, and keeps checking on later delays', async () => {
    let wanted = false;
    let asks = 0;
    const search = new ParentSearch(() => wanted, () => asks++, [10, 40]);
    search.start();
    await sleep(25);
    expect(asks).toBe(0);
    wanted = true;
    search.start();
    await sleep(80);
    expect(asks).toBe(1);
  });

  it('stop() cancels a pending ask for good', async () => {
    let asks = 0;
    const search = new ParentSearch(() => true, () => asks++, [10, 10]);
    search.start();
    search.stop();
    search.start();
    await sleep(50);
    expect(asks).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';

import type { PeerState } from '@d7y/core/plugin-api';

import { peer } from '../test/peers.js';
import { BAD_PARENT_STATES, isAbnormalPieceCost, isBadParent } from './badParent.js';
import { DefaultEvaluator } from './DefaultEvaluator.js';

/** `n` costs alternating 90, 110, 90, …: mean ≈ 100, population stddev ≈ 10, so three-sigma ≈ 130. */
const steady = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 90 : 110));

describe('isBadParent: states', () => {
  it.each<{ state: PeerState; bad: boolean }>([
    { state: 'Failed', bad: true },
    { state: 'Leave', bad: true },
    { state: 'Pending', bad: true },
    { state: 'ReceivedTiny', bad: true },
    { state: 'ReceivedSmall', bad: true },
    { state: 'ReceivedNormal', bad: true },
    { state: 'ReceivedEmpty', bad: true },
    { state: 'Running', bad: false },
    { state: 'BackToSource', bad: false },
    { state: 'Succeeded', bad: false },
  ])('$state → bad: $bad (normal and seed hosts, fine piece costs)', ({ state, bad }) => {
    expect(isBadParent(peer('p', {}, { state, pieceCosts: [100, 100, 100] }))).toBe(bad);
    expect(isBadParent(peer('s', { type: 'super' }, { state, pieceCosts: [100, 100, 100] }))).toBe(bad);
    expect(BAD_PARENT_STATES.has(state)).toBe(bad);
  });
});

describe('isBadParent: piece costs (window 2000)', () => {
  it.each<{ name: string; costs: number[]; bad: boolean }>([
    { name: 'no samples', costs: [], bad: false },
    { name: 'one sample, however slow', costs: [1e9], bad: false },
    { name: 'two samples, 20x spike', costs: [10, 201], bad: true },
    { name: 'few samples, exactly 20x mean is not over', costs: [10, 10, 10, 200], bad: false },
    { name: 'few samples, just over 20x mean', costs: [10, 10, 10, 201], bad: true },
    { name: 'few samples, slow but under 20x', costs: [100, 90, 110, 1500], bad: false },
    { name: 'the spike is excluded from its own mean', costs: [10, 10, 300], bad: true },
    { name: '1999 samples (not full), 1.5x mean: the 20x rule applies', costs: [...steady(1998), 150], bad: false },
    { name: 'full window, last above mean + 3 sigma', costs: [...steady(1999), 150], bad: true },
    { name: 'full window, last under mean + 3 sigma', costs: [...steady(1999), 125], bad: false },
    { name: 'full window, faster than usual', costs: [...steady(1999), 10], bad: false },
  ])('$name → bad: $bad', ({ costs, bad }) => {
    expect(isBadParent(peer('p', {}, { pieceCosts: costs }))).toBe(bad);
  });

  it('judges a Running seed peer by the same rule', () => {
    expect(isBadParent(peer('seed', { type: 'super' }, { state: 'Running', pieceCosts: [10, 10, 500] }))).toBe(true);
    expect(isBadParent(peer('seed', { type: 'super' }, { state: 'Running', pieceCosts: [10, 10, 50] }))).toBe(false);
  });
});

describe('isAbnormalPieceCost with other window sizes', () => {
  it('uses three-sigma once the window is full (historical size 30)', () => {
    expect(isAbnormalPieceCost([...steady(29), 150], 30)).toBe(true);
    expect(isAbnormalPieceCost([...steady(28), 150], 30)).toBe(false);
    const evaluator = new DefaultEvaluator({ pieceCostsWindowSize: 30 });
    expect(evaluator.isBadParent(peer('p', {}, { pieceCosts: [...steady(29), 150] }))).toBe(true);
    expect(new DefaultEvaluator().isBadParent(peer('p', {}, { pieceCosts: [...steady(29), 150] }))).toBe(false);
  });

  it('ignores costs older than the window', () => {
    // Window [100, 110, 90, 100, 400]: mean of the others 100, stddev ≈ 7.1, so 400 is abnormal. Counting the
    // stale 5000 would lift the mean to 1080 and hide it.
    expect(isAbnormalPieceCost([5000, 100, 110, 90, 100, 400], 5)).toBe(true);
    expect(isAbnormalPieceCost([5000, 100, 110, 90, 100, 400], 6)).toBe(false);
  });

  it('treats zero spread strictly: a full window of equal costs flags any slower piece, not an equal one', () => {
    expect(isAbnormalPieceCost([10, 10, 10, 10], 4)).toBe(false);
    expect(isAbnormalPieceCost([10, 10, 10, 11], 4)).toBe(true);
  });
});

/**
 * Dragonfly's bad-parent rule (`evaluator.IsBadParent`, spec §4.5): a parent is refused for its state, or
 * when its latest piece took abnormally long compared with the ones before it.
 */
import type { EvaluatorPeer, PeerState } from '@d7y/core/plugin-api';

import { DEFAULT_PIECE_COSTS_WINDOW_SIZE } from './config.js';

/** States in which a peer can never be a parent (not started, not yet downloading, or gone). */
export const BAD_PARENT_STATES: ReadonlySet<PeerState> = new Set<PeerState>([
  'Failed',
  'Leave',
  'Pending',
  'ReceivedTiny',
  'ReceivedSmall',
  'ReceivedNormal',
  'ReceivedEmpty',
]);

/** Fewer piece costs than this say nothing (there is no earlier cost to compare the last one with). */
export const MIN_PIECE_COSTS = 2;
/** While the window is not full: the last cost is abnormal above this many times the mean of the others. */
export const SPIKE_FACTOR = 20;
/** Once the window is full: the last cost is abnormal above mean + this many standard deviations. */
export const SIGMA_FACTOR = 3;

/**
 * True if the last of `costs` is abnormally slow. Only the newest `windowSize` costs count (the scheduler's
 * rolling window); "the others" are that window without its last value.
 *
 * - fewer than 2 costs → false;
 * - window not full (`costs.length < windowSize`) → `last > 20 × mean(others)`: too few samples for a
 *   distribution, so only a gross spike counts;
 * - window full → `last > mean(others) + 3 × stddev(others)` (three-sigma), with the population standard
 *   deviation, as Dragonfly's `stats.StandardDeviation`.
 *
 * The statistics exclude the last cost, as Dragonfly does: including the spike would raise the mean and the
 * deviation it is tested against and partly hide it. Comparisons are strict, so a cost exactly on the
 * threshold is not abnormal.
 */
export function isAbnormalPieceCost(costs: readonly number[], windowSize: number = DEFAULT_PIECE_COSTS_WINDOW_SIZE): boolean {
  const window = costs.length > windowSize ? costs.slice(costs.length - windowSize) : costs;
  if (window.length < MIN_PIECE_COSTS) return false;
  const last = window[window.length - 1];
  const others = window.slice(0, -1);
  const mean = others.reduce((sum, cost) => sum + cost, 0) / others.length;
  if (window.length < windowSize) return last > SPIKE_FACTOR * mean;
  const variance = others.reduce((sum, cost) => sum + (cost - mean) ** 2, 0) / others.length;
  return last > mean + SIGMA_FACTOR * Math.sqrt(variance);
}

/**
 * True if `peer` must not be offered as a parent: its state is in `BAD_PARENT_STATES`, or its latest piece
 * cost is abnormal (`isAbnormalPieceCost`). Host type plays no part: a seed peer (`super`) that is `Running`
 * is judged by its piece costs like any other peer.
 */
export function isBadParent(peer: Pick<EvaluatorPeer, 'state' | 'pieceCosts'>, windowSize: number = DEFAULT_PIECE_COSTS_WINDOW_SIZE): boolean {
  return BAD_PARENT_STATES.has(peer.state) || isAbnormalPieceCost(peer.pieceCosts, windowSize);
}

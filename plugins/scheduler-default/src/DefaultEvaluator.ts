/**
 * Dragonfly's rule-based evaluator (`scheduler.algorithm: default`) behind the `Evaluator` contract.
 */
import type { Evaluator, EvaluatorPeer, Logger } from '@d7y/core/plugin-api';

import { isBadParent } from './badParent.js';
import { DEFAULT_PIECE_COSTS_WINDOW_SIZE, DEFAULT_WEIGHTS, type EvaluatorWeights } from './config.js';
import {
  bandwidthDurationScore,
  concurrencyScore,
  finishedPieceScore,
  freeUploadScore,
  hostTypeScore,
  idcAffinityScore,
  locationAffinityScore,
  peakBandwidthUsageScore,
  uploadSuccessScore,
} from './scores.js';

/**
 * Which signals LoadQuality was computed from: `bandwidth` (Dragonfly's current formula) when at least one
 * candidate announced its `maxTxBandwidth`, `fallback` (the previous base evaluator's signals) when none did.
 */
export type LoadMode = 'bandwidth' | 'fallback';

/** One candidate's score and its terms, for ranking, tests and debug logs. */
export interface ParentScore {
  readonly peer: EvaluatorPeer;
  readonly total: number;
  readonly loadQuality: number;
  readonly idcAffinity: number;
  readonly locationAffinity: number;
  readonly hostType: number;
  readonly mode: LoadMode;
}

/** Options of `DefaultEvaluator`; everything defaults to Dragonfly's values. */
export interface DefaultEvaluatorOptions {
  /** Weights to override (see `DEFAULT_WEIGHTS`); not validated here (the plugin's `configSchema` does that). */
  readonly weights?: Partial<EvaluatorWeights>;
  /** Capacity of the scheduler's piece-cost window (default 2000). */
  readonly pieceCostsWindowSize?: number;
  /** Receives one debug line per evaluation with every candidate's terms. */
  readonly logger?: Logger;
}

/** `Σ wᵢ·sᵢ / Σ wᵢ`: a weighted mean, so a load group stays in [0, 1] whatever its weights. */
function weightedMean(terms: readonly (readonly [weight: number, score: number])[]): number {
  const weights = terms.reduce((sum, [w]) => sum + w, 0);
  return weights > 0 ? terms.reduce((sum, [w, s]) => sum + w * s, 0) / weights : 0;
}

/**
 * Ranks parents with Dragonfly's current default formula (spec §4.4):
 *
 *     TotalScore = 0.6·LoadQuality + 0.2·IDCAffinity + 0.1·LocationAffinity + 0.1·HostType
 *
 * LoadQuality depends on the mode, chosen once per call for all candidates so that they are compared on
 * one scale:
 *
 * - `bandwidth` (some candidate has `maxTxBandwidth > 0`), Dragonfly's formula:
 *   `LoadQuality = 0.5·PeakBandwidthUsage + 0.3·BandwidthDuration + 0.2·Concurrency`.
 *   A candidate without an announced bandwidth scores 0 on all three, as in Dragonfly.
 * - `fallback` (no candidate announced a bandwidth, common in small deployments, where the formula above
 *   would give every candidate LoadQuality 0 and drop load from the ranking): the previous base evaluator's
 *   load signals at their old relative weights (0.2, 0.2, 0.15), rescaled to sum to 1:
 *   `LoadQuality = (0.2·FinishedPiece + 0.2·UploadSuccess + 0.15·FreeUpload) / 0.55`.
 *
 * Each LoadQuality group is a weighted mean (weights divided by their sum); with Dragonfly's bandwidth
 * weights, which sum to 1, that is Dragonfly's formula unchanged. The outer weights are used as given.
 *
 * Order: descending TotalScore; among equal scores, the parent with more finished pieces first (this is
 * where the finished-piece signal helps in `bandwidth` mode, whose score ignores pieces); among full ties,
 * input order. Nothing is dropped and the input array is not modified.
 */
export class DefaultEvaluator implements Evaluator {
  readonly weights: EvaluatorWeights;
  readonly pieceCostsWindowSize: number;
  readonly #logger: Logger | undefined;

  constructor(options: DefaultEvaluatorOptions = {}) {
    const overrides = Object.entries(options.weights ?? {}).filter(([, weight]) => weight !== undefined);
    this.weights = Object.freeze({ ...DEFAULT_WEIGHTS, ...Object.fromEntries(overrides) });
    this.pieceCostsWindowSize = options.pieceCostsWindowSize ?? DEFAULT_PIECE_COSTS_WINDOW_SIZE;
    this.#logger = options.logger;
  }

  /** The candidates, best first (see the class comment). */
  evaluateParents(candidates: readonly EvaluatorPeer[], child: EvaluatorPeer, totalPieceCount: number): readonly EvaluatorPeer[] {
    return this.rank(candidates, child, totalPieceCount).map((score) => score.peer);
  }

  /** Every candidate's score and terms, in the order `evaluateParents` returns them. */
  rank(candidates: readonly EvaluatorPeer[], child: EvaluatorPeer, totalPieceCount: number): ParentScore[] {
    const mode: LoadMode = candidates.some((c) => c.host.maxTxBandwidth > 0) ? 'bandwidth' : 'fallback';
    const bestFinished = candidates.reduce((best, c) => Math.max(best, c.finishedPieceCount), 0);
    const scored = candidates.map((peer, index) => ({ index, score: this.#score(peer, child, totalPieceCount, mode, bestFinished) }));
    scored.sort(
      (a, b) =>
        b.score.total - a.score.total || b.score.peer.finishedPieceCount - a.score.peer.finishedPieceCount || a.index - b.index,
    );
    const ranked = scored.map(({ score }) => score);
    this.#logger?.debug(
      {
        child: child.id,
        mode,
        parents: ranked.map(({ peer, total, loadQuality, idcAffinity, locationAffinity, hostType }) => ({
          id: peer.id,
          total,
          loadQuality,
          idcAffinity,
          locationAffinity,
          hostType,
        })),
      },
      'evaluated parents',
    );
    return ranked;
  }

  /** Dragonfly's bad-parent rule (see `isBadParent` in `badParent.ts`). */
  isBadParent(peer: EvaluatorPeer): boolean {
    return isBadParent(peer, this.pieceCostsWindowSize);
  }

  #score(peer: EvaluatorPeer, child: EvaluatorPeer, totalPieceCount: number, mode: LoadMode, bestFinished: number): ParentScore {
    const w = this.weights;
    const host = peer.host;
    const loadQuality =
      mode === 'bandwidth'
        ? weightedMean([
            [w.peakBandwidthUsage, peakBandwidthUsageScore(host)],
            [w.bandwidthDuration, bandwidthDurationScore(host)],
            [w.concurrency, concurrencyScore(host)],
          ])
        : weightedMean([
            [w.finishedPiece, finishedPieceScore(peer.finishedPieceCount, child.finishedPieceCount, totalPieceCount, bestFinished)],
            [w.uploadSuccess, uploadSuccessScore(host)],
            [w.freeUpload, freeUploadScore(host)],
          ]);
    const idcAffinity = idcAffinityScore(host.idc, child.host.idc);
    const locationAffinity = locationAffinityScore(host.location, child.host.location);
    const hostType = hostTypeScore(host.type, peer.state);
    const total = w.loadQuality * loadQuality + w.idcAffinity * idcAffinity + w.locationAffinity * locationAffinity + w.hostType * hostType;
    return { peer, total, loadQuality, idcAffinity, locationAffinity, hostType, mode };
  }
}

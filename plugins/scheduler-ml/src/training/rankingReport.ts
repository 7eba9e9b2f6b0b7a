import type { EvaluatorPeer } from '@d7y/core/plugin-api';

import { pieceTarget } from './dataset.js';
import type { RecordedDecision, RecordedPiece } from './types.js';

/** How often a ranking puts the parent that delivered faster first, over pairs of parents of one decision. */
export interface RankingComparison {
  /** Decisions with at least two parents that delivered pieces. */
  readonly decisions: number;
  /** Pairs of such parents whose observed throughput differs. */
  readonly pairs: number;
  /** Share of pairs each ranking orders like the observed throughput (0.5 = chance). */
  readonly modelPairAccuracy: number;
  readonly defaultPairAccuracy: number;
  /** Mean observed target of the parent each ranking puts first (among parents with outcomes). */
  readonly modelTop1Target: number;
  readonly defaultTop1Target: number;
}

/** Something that ranks recorded candidates like an evaluator. */
export type Ranker = (candidates: readonly EvaluatorPeer[], child: EvaluatorPeer, totalPieceCount: number) => readonly EvaluatorPeer[] | Promise<readonly EvaluatorPeer[]>;

/** Observed mean target per parent of each decision, with the features the parent was chosen with. */
export function outcomesByDecision(pieces: readonly RecordedPiece[]): Map<number, Map<string, { target: number; count: number; features: readonly number[] }>> {
  const out = new Map<number, Map<string, { target: number; count: number; features: readonly number[] }>>();
  for (const piece of pieces) {
    let parents = out.get(piece.decisionId);
    if (!parents) out.set(piece.decisionId, (parents = new Map()));
    const entry = parents.get(piece.parentId) ?? { target: 0, count: 0, features: piece.features };
    entry.target = (entry.target * entry.count + pieceTarget(piece)) / (entry.count + 1);
    entry.count++;
    parents.set(piece.parentId, entry);
  }
  return out;
}

/**
 * Compares two rankings against what happened: for each decision in `decisions` with outcomes for two or
 * more of its parents, each pair of those parents counts as right for a ranking when the ranking puts the one
 * with the higher observed target first. `score` gives the model's prediction from the recorded features;
 * `baseline` ranks the recorded candidate views (the default evaluator).
 */
export async function compareRankings(
  decisions: readonly RecordedDecision[],
  pieces: readonly RecordedPiece[],
  score: (features: readonly number[]) => number,
  baseline: Ranker,
): Promise<RankingComparison> {
  const outcomes = outcomesByDecision(pieces);
  let used = 0, pairs = 0, modelRight = 0, defaultRight = 0, modelTop = 0, defaultTop = 0;
  for (const decision of decisions) {
    const observed = outcomes.get(decision.id);
    if (!observed || observed.size < 2) continue;
    const ids = [...observed.keys()];
    const predicted = new Map(ids.map((id) => [id, score(observed.get(id)!.features)]));
    const order = (await baseline(decision.candidates, decision.child, decision.totalPieceCount)).map((c) => c.id);
    const position = (id: string) => (order.indexOf(id) < 0 ? Infinity : order.indexOf(id));
    used++;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const [a, b] = [observed.get(ids[i])!.target, observed.get(ids[j])!.target];
        if (Math.abs(a - b) < 1e-9) continue;
        pairs++;
        const better = a > b ? ids[i] : ids[j];
        const worse = better === ids[i] ? ids[j] : ids[i];
        if (predicted.get(better)! > predicted.get(worse)!) modelRight++;
        if (position(better) < position(worse)) defaultRight++;
      }
    }
    const modelBest = [...ids].sort((x, y) => predicted.get(y)! - predicted.get(x)!)[0];
    const defaultBest = [...ids].sort((x, y) => position(x) - position(y))[0];
    modelTop += observed.get(modelBest)!.target;
    defaultTop += observed.get(defaultBest)!.target;
  }
  return {
    decisions: used,
    pairs,
    modelPairAccuracy: pairs ? modelRight / pairs : NaN,
    defaultPairAccuracy: pairs ? defaultRight / pairs : NaN,
    modelTop1Target: used ? modelTop / used : NaN,
    defaultTop1Target: used ? defaultTop / used : NaN,
  };
}

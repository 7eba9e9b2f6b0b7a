import type { Evaluator, EvaluatorPeer } from '../../plugin-api/scheduling/Evaluator.js';
import type { ParsedRecords } from './parseRecords.js';
import type { PieceRecord } from './types.js';

/** How an evaluator's choices compare with a baseline's on recorded decisions (`d7y evaluate`). */
export interface EvaluatorComparison {
  /** Decisions in the records, and how many both evaluators ranked without error. */
  readonly decisions: number;
  readonly replayed: number;
  /** Evaluator errors (thrown or rejected) on the candidate's side. */
  readonly errors: number;
  /** Share of decisions where both put the same parent first. */
  readonly top1Agreement: number;
  /** Mean share of the baseline's top `k` that the candidate's top `k` also holds. */
  readonly topKOverlap: number;
  readonly k: number;
  /** Against what happened, on decisions with outcomes for two or more of the parents given. */
  readonly observed: {
    readonly decisions: number;
    /** Pairs of such parents with different observed rates. */
    readonly pairs: number;
    /** Share of pairs each evaluator orders like the observed rates (0.5 = chance). */
    readonly candidatePairAccuracy: number;
    readonly baselinePairAccuracy: number;
    /** Mean observed rate (bytes/s) of the parent each evaluator ranks first among those with outcomes. */
    readonly candidateTop1Rate: number;
    readonly baselineTop1Rate: number;
  };
}

/** Observed rate of one piece in bytes/s; failures count as 0. */
const pieceRate = (piece: PieceRecord) => (piece.success && piece.bytes > 0 ? (piece.bytes * 1000) / Math.max(piece.costMs, 1) : 0);

/** Mean observed piece rate per (decision, parent). */
function observedRates(pieces: readonly PieceRecord[]): Map<number, Map<string, number>> {
  const sums = new Map<number, Map<string, { sum: number; n: number }>>();
  for (const piece of pieces) {
    let parents = sums.get(piece.decisionId);
    if (!parents) sums.set(piece.decisionId, (parents = new Map()));
    const entry = parents.get(piece.parentId) ?? { sum: 0, n: 0 };
    entry.sum += pieceRate(piece);
    entry.n++;
    parents.set(piece.parentId, entry);
  }
  return new Map([...sums].map(([id, parents]) => [id, new Map([...parents].map(([parent, { sum, n }]) => [parent, sum / n]))]));
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : NaN);

/**
 * Replays every recorded decision through `candidate` and `baseline` (the recorded candidates and child, in
 * their recorded order) and compares their choices with each other and, where pieces were recorded for two or
 * more of the parents given, with the observed piece rates. Only parents the scheduler actually gave have
 * outcomes, so the observed comparison is over those.
 */
export async function compareEvaluators(records: ParsedRecords, candidate: Evaluator, baseline: Evaluator, k = 3): Promise<EvaluatorComparison> {
  const rates = observedRates(records.pieces);
  let replayed = 0, errors = 0, top1 = 0, overlap = 0;
  let observedDecisions = 0, pairs = 0, candidateRight = 0, baselineRight = 0, candidateTop = 0, baselineTop = 0;
  for (const decision of records.decisions) {
    const rank = async (evaluator: Evaluator) => (await evaluator.evaluateParents(decision.candidates, decision.child, decision.totalPieceCount)).map((p: EvaluatorPeer) => p.id);
    let mine: string[];
    try {
      mine = await rank(candidate);
    } catch {
      errors++;
      continue;
    }
    const theirs = await rank(baseline);
    replayed++;
    if (mine[0] === theirs[0]) top1++;
    const theirTop = theirs.slice(0, k);
    overlap += theirTop.length ? mine.slice(0, k).filter((id) => theirTop.includes(id)).length / theirTop.length : 1;

    const observed = rates.get(decision.id);
    if (!observed || observed.size < 2) continue;
    observedDecisions++;
    const position = (order: string[], id: string) => (order.includes(id) ? order.indexOf(id) : Infinity);
    const ids = [...observed.keys()];
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const [a, b] = [observed.get(ids[i])!, observed.get(ids[j])!];
        if (a === b) continue;
        pairs++;
        const [better, worse] = a > b ? [ids[i], ids[j]] : [ids[j], ids[i]];
        if (position(mine, better) < position(mine, worse)) candidateRight++;
        if (position(theirs, better) < position(theirs, worse)) baselineRight++;
      }
    }
    const best = (order: string[]) => [...ids].sort((x, y) => position(order, x) - position(order, y))[0];
    candidateTop += observed.get(best(mine))!;
    baselineTop += observed.get(best(theirs))!;
  }
  return {
    decisions: records.decisions.length,
    replayed,
    errors,
    top1Agreement: ratio(top1, replayed),
    topKOverlap: ratio(overlap, replayed),
    k,
    observed: {
      decisions: observedDecisions,
      pairs,
      candidatePairAccuracy: ratio(candidateRight, pairs),
      baselinePairAccuracy: ratio(baselineRight, pairs),
      candidateTop1Rate: ratio(candidateTop, observedDecisions),
      baselineTop1Rate: ratio(baselineTop, observedDecisions),
    },
  };
}

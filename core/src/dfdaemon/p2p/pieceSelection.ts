/** What the piece selection needs to know about one candidate parent. */
export interface ParentSlot {
  /** A seed peer (its upload link is shared by the whole swarm, so its bytes are the most expensive). */
  readonly seed: boolean;
  readonly blocked: boolean;
  /** Pieces this child is fetching from the parent right now. */
  readonly inflight: number;
  /** Piece numbers the parent has announced. */
  readonly available: ReadonlySet<number>;
}

/** One piece to request and the parent to request it from. */
export interface PiecePick<P extends ParentSlot> {
  readonly number: number;
  readonly parent: P;
}

export interface SelectionInput<P extends ParentSlot> {
  /** Missing pieces not in flight, in this child's own (random) order. */
  readonly order: readonly number[];
  readonly parents: readonly P[];
  /** Requests that may start now. */
  readonly slots: number;
  /** Most pieces in flight from one seed parent (when the child may ask a seed at all, see `selectPieces`). */
  readonly seedLimit: number;
  /** The child's non-seed parents have delivered nothing for a while (see `PieceCollector`). */
  readonly peersStalled: boolean;
  /** Whether the trusted digest of a piece is known (a piece without one cannot be verified yet). */
  hasDigest(number: number): boolean;
  /** Source of randomness for breaking ties between equally busy parents (default `Math.random`). */
  readonly random?: () => number;
}

export interface Selection<P extends ParentSlot> {
  readonly picks: Array<PiecePick<P>>;
  /** Some piece only a seed holds was held back because the child's peers may still bring it. */
  readonly seedHeldBack: boolean;
  /** Some piece has a parent but no trusted digest yet. */
  readonly waitingForDigest: boolean;
}

/**
 * Chooses the next pieces to request and their parents, so that a swarm takes each piece from its seed about
 * once and trades the rest among itself:
 * - pieces are considered in the child's own random order, so children that start together ask for different
 *   pieces instead of all asking the seed for piece 0, 1, 2…;
 * - a piece a non-seed parent holds goes to the least busy such parent (ties broken at random);
 * - a seed parent only gets pieces no non-seed parent of this child holds, at most `seedLimit` at once, and
 *   while the child has non-seed parents only when none of them is sending it anything and they have delivered
 *   nothing for a while (`peersStalled`): the seed's link is the swarm's bottleneck, every piece it sends twice
 *   is a wasted copy, and a child fed by peers gets the seed's pieces through them anyway (Dragonfly's DAG makes
 *   the swarm a pipeline from the seed, whose root peers take from the seed directly). Two
 *   outstanding pieces of 4 MiB or more already cover the bandwidth-delay product of a data-centre link, so
 *   the cap costs a lone downloader nothing.
 */
export function selectPieces<P extends ParentSlot>(input: SelectionInput<P>): Selection<P> {
  const random = input.random ?? Math.random;
  const live = input.parents.filter((parent) => !parent.blocked);
  const load = new Map<P, number>(live.map((parent) => [parent, parent.inflight]));
  const hasPeers = live.some((parent) => !parent.seed);
  const picks: Array<PiecePick<P>> = [];
  const seedOnly: Array<{ number: number; holders: P[] }> = [];
  let waitingForDigest = false;

  const take = (number: number, parent: P): void => {
    picks.push({ number, parent });
    load.set(parent, (load.get(parent) ?? 0) + 1);
  };
  // Ties are broken at random: holders come in the scheduler's ranking order, and taking the first one would send
  // every child's requests to the same top-ranked parent and make it the swarm's hub.
  const leastBusy = (holders: readonly P[], cap = Number.POSITIVE_INFINITY): P | undefined => {
    let best: P | undefined;
    let ties = 0;
    for (const holder of holders) {
      const busy = load.get(holder)!;
      if (busy >= cap) continue;
      if (!best || busy < load.get(best)!) {
        best = holder;
        ties = 1;
      } else if (busy === load.get(best)! && random() * ++ties < 1) {
        best = holder;
      }
    }
    return best;
  };

  for (const number of input.order) {
    if (picks.length >= input.slots) break;
    const holders = live.filter((parent) => parent.available.has(number));
    if (holders.length === 0) continue;
    if (!input.hasDigest(number)) {
      waitingForDigest = true;
      continue;
    }
    const peer = leastBusy(holders.filter((parent) => !parent.seed));
    if (peer) take(number, peer);
    else seedOnly.push({ number, holders });
  }
  const peersSending = live.some((parent) => !parent.seed && load.get(parent)! > 0);
  const seedCap = hasPeers && (peersSending || !input.peersStalled) ? 0 : input.seedLimit;
  for (const { number, holders } of seedOnly) {
    if (picks.length >= input.slots) break;
    const seed = leastBusy(holders, seedCap);
    if (seed) take(number, seed);
  }
  return { picks, waitingForDigest, seedHeldBack: seedCap === 0 && seedOnly.length > 0 };
}

/** A uniformly shuffled copy of `numbers` (Fisher–Yates). */
export function shuffled(numbers: Iterable<number>, random: () => number = Math.random): number[] {
  const out = [...numbers];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

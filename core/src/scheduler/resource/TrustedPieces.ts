import { digestsEqual } from '../../common/digests.js';

/** Metadata of one piece as fetched from the origin. */
export interface TrustedPiece {
  readonly number: number;
  readonly offset: number;
  readonly length: number;
  /** `algorithm:encoded`, e.g. `crc32:3456789012`. */
  readonly digest: string;
  /** Peer whose back-to-source report recorded it. */
  readonly reporterId: string;
  readonly createdAt: number;
}

/** Result of recording a back-to-source report. */
export type RecordResult = 'recorded' | 'duplicate' | 'conflict';

/** Result of checking a peer-to-peer report. */
export type CheckResult = 'match' | 'unknown' | 'mismatch';

/**
 * The trusted piece digests of a task (d7y guardrail): piece number -> {offset, length, digest}, recorded only
 * from back-to-source reports of peers the scheduler sent to the origin. The first report of a piece wins; a
 * later different report is refused (`conflict`) so that nobody can replace a digest once children rely on it.
 * Children verify every piece fetched from a parent against these, never against the parent's own claim.
 */
export class TrustedPieces {
  readonly #pieces = new Map<number, TrustedPiece>();

  get size(): number {
    return this.#pieces.size;
  }

  get(number: number): TrustedPiece | undefined {
    return this.#pieces.get(number);
  }

  /** Records a back-to-source report (first wins). */
  record(piece: Omit<TrustedPiece, 'createdAt'>, now = Date.now()): RecordResult {
    const known = this.#pieces.get(piece.number);
    if (!known) {
      this.#pieces.set(piece.number, { ...piece, createdAt: now });
      return 'recorded';
    }
    return sameContent(known, piece) ? 'duplicate' : 'conflict';
  }

  /** Checks a peer-to-peer report against the trusted record of its piece. */
  check(piece: { number: number; offset: number; length: number; digest: string }): CheckResult {
    const known = this.#pieces.get(piece.number);
    if (!known) return 'unknown';
    return sameContent(known, piece) ? 'match' : 'mismatch';
  }

  /** Every trusted piece, by number. */
  list(): TrustedPiece[] {
    return [...this.#pieces.values()].sort((a, b) => a.number - b.number);
  }
}

function sameContent(a: { offset: number; length: number; digest: string }, b: { offset: number; length: number; digest: string }): boolean {
  if (a.offset !== b.offset || a.length !== b.length) return false;
  try {
    return digestsEqual(a.digest, b.digest);
  } catch {
    return false;
  }
}

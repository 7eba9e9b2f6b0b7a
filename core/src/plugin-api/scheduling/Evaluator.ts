/** Peer states as the scheduler tracks them (Dragonfly's standard peer FSM). */
export type PeerState =
  | 'Pending'
  | 'ReceivedEmpty'
  | 'ReceivedTiny'
  | 'ReceivedSmall'
  | 'ReceivedNormal'
  | 'Running'
  | 'BackToSource'
  | 'Succeeded'
  | 'Failed'
  | 'Leave';

/** Host type: `normal` peers and `super` seed peers. */
export type HostType = 'normal' | 'super';

/** A read-only view of a host, as evaluators see it. Bandwidths in bits per second. */
export interface EvaluatorHost {
  readonly id: string;
  readonly type: HostType;
  readonly hostname: string;
  readonly ip: string;
  /** Data-center name, empty when unknown. */
  readonly idc: string;
  /** `|`-separated location, most general first (`area|country|province|city`), empty when unknown. */
  readonly location: string;
  /** Announced upload capacity; 0 when unknown. */
  readonly maxTxBandwidth: number;
  /** The scheduler's estimate of upload bandwidth in use, from the edges it created. */
  readonly txBandwidth: number;
  /** Bytes the host is currently scheduled to upload. */
  readonly uploadContentLength: number;
  /** Concurrent uploads allowed (load limit). */
  readonly concurrentUploadLimit: number;
  /** Children currently downloading from this host. */
  readonly concurrentUploadCount: number;
  /** Pieces being uploaded at this moment. */
  readonly concurrentUploadPieceCount: number;
  /** Pieces ever uploaded. */
  readonly uploadCount: number;
  /** Piece uploads that children reported as failed. */
  readonly uploadFailedCount: number;
  /**
   * d7y addition: the host's observed upload rate in bytes per second, a moving average over the pieces
   * children reported fetching from it (length / cost); 0 or absent while nothing has been observed.
   */
  readonly uploadPieceRate?: number;
}

/** A read-only view of a peer (one host's download of one task), as evaluators see it. */
export interface EvaluatorPeer {
  readonly id: string;
  readonly state: PeerState;
  readonly host: EvaluatorHost;
  /** Pieces this peer holds. */
  readonly finishedPieceCount: number;
  /** Recent piece download costs in milliseconds, oldest first (bounded window). */
  readonly pieceCosts: readonly number[];
}

/**
 * Ranks candidate parents for a downloading peer (the `evaluator` plugin kind). Selected by
 * `scheduler.algorithm`: `default`, `ml`, or `plugin` (a `.js` evaluator from `pluginDir`).
 *
 * Evaluators are pure with respect to scheduler state: they read the views they are given and never keep
 * references to them across calls.
 */
export interface Evaluator {
  /**
   * Returns the candidates ordered best first. May drop candidates but must not add any.
   * `totalPieceCount` is the task's piece count, or 0 when not yet known.
   */
  evaluateParents(
    candidates: readonly EvaluatorPeer[],
    child: EvaluatorPeer,
    totalPieceCount: number,
  ): readonly EvaluatorPeer[] | Promise<readonly EvaluatorPeer[]>;
  /** True if `peer` must not be offered as a parent now (wrong state, or its latest piece was abnormally slow). */
  isBadParent(peer: EvaluatorPeer): boolean;
  /**
   * d7y addition: prepares the evaluator (loads a model). Called once by the scheduler before it serves; a
   * rejection aborts start-up with its message. Optional: evaluators with nothing to prepare omit it.
   */
  open?(): Promise<void>;
  /** Releases resources (models, watchers). Called once when the scheduler stops. */
  close?(): Promise<void>;
}

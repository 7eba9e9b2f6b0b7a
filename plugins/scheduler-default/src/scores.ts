/**
 * The score terms of Dragonfly's rule-based evaluator, each a small pure function returning a value in
 * [0, 1] (larger is better). Bandwidths are bits per second, lengths bytes.
 *
 * Sources: `scheduler/scheduling/evaluator/evaluator_default.go` (current default, spec §4.4) and
 * `evaluator_base.go` (the previous "base" evaluator whose load signals are the bandwidth-less fallback).
 */
import type { EvaluatorHost, HostType, PeerState } from '@d7y/core/plugin-api';

/** Window over which the bytes a host is scheduled to upload are spread (Dragonfly: 60 s). */
export const DURATION_WINDOW_SECONDS = 60;
/** Piece length assumed by the concurrency score (Dragonfly: 16 MiB, an empirical I/O-efficient size). */
export const CONCURRENCY_PIECE_LENGTH = 16 * 1024 * 1024;
/** Most location elements compared (Dragonfly `maxElementLen`). */
export const MAX_LOCATION_ELEMENTS = 5;
/** Separator of location elements (Dragonfly `types.AffinitySeparator`). */
export const LOCATION_SEPARATOR = '|';

/** Clamps to [0, 1]; NaN becomes 0 so that a corrupt counter can never win or break sorting. */
export function clamp01(value: number): number {
  return value > 0 ? Math.min(value, 1) : 0;
}

const foldEqual = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Instantaneous bandwidth headroom: `max(0, 1 − TxBandwidth / MaxTxBandwidth)`.
 * 0 when `MaxTxBandwidth` is 0 (not announced) or the host is at or over capacity.
 */
export function peakBandwidthUsageScore(host: Pick<EvaluatorHost, 'maxTxBandwidth' | 'txBandwidth'>): number {
  if (!(host.maxTxBandwidth > 0)) return 0;
  return clamp01(1 - host.txBandwidth / host.maxTxBandwidth);
}

/**
 * Sustained-load headroom: `max(0, 1 − UploadContentLength·8 / MaxTxBandwidth / 60)`, i.e. the share of a
 * 60-second window left after sending everything the host is scheduled to upload.
 * 0 when `MaxTxBandwidth` is 0 (checked first, as Dragonfly does); 1 when nothing is scheduled for upload.
 */
export function bandwidthDurationScore(host: Pick<EvaluatorHost, 'maxTxBandwidth' | 'uploadContentLength'>): number {
  if (!(host.maxTxBandwidth > 0)) return 0;
  if (!(host.uploadContentLength > 0)) return 1;
  return clamp01(1 - (host.uploadContentLength * 8) / host.maxTxBandwidth / DURATION_WINDOW_SECONDS);
}

/**
 * Concurrency efficiency. `needed = MaxTxBandwidth / 16 MiB / 8` is how many 16 MiB pieces per second
 * saturate the link. 0 when `MaxTxBandwidth` is 0 or `needed ≤ 1` (too little bandwidth to judge); 1 when no
 * piece is being uploaded or `ConcurrentUploadPieceCount / needed ≤ 1`; otherwise
 * `needed / ConcurrentUploadPieceCount` (over-concurrency is penalised proportionally).
 */
export function concurrencyScore(host: Pick<EvaluatorHost, 'maxTxBandwidth' | 'concurrentUploadPieceCount'>): number {
  if (!(host.maxTxBandwidth > 0)) return 0;
  const needed = host.maxTxBandwidth / CONCURRENCY_PIECE_LENGTH / 8;
  if (needed <= 1) return 0;
  const concurrent = host.concurrentUploadPieceCount;
  if (!(concurrent > 0) || concurrent / needed <= 1) return 1;
  return clamp01(needed / concurrent);
}

/** IDC affinity: 1 when both IDCs are non-empty and equal ignoring case, else 0. */
export function idcAffinityScore(parentIdc: string, childIdc: string): number {
  if (parentIdc === '' || childIdc === '') return 0;
  return foldEqual(parentIdc, childIdc) ? 1 : 0;
}

/**
 * Location affinity: the number of equal leading `|`-separated elements (ignoring case, at most 5) divided
 * by 5, e.g. `cn|bj|haidian` vs `CN|bj|chaoyang` → 2/5. Identical strings (ignoring case) → 1 even when shorter
 * than 5 elements; either empty → 0.
 */
export function locationAffinityScore(parentLocation: string, childLocation: string): number {
  if (parentLocation === '' || childLocation === '') return 0;
  if (foldEqual(parentLocation, childLocation)) return 1;
  const parent = parentLocation.split(LOCATION_SEPARATOR);
  const child = childLocation.split(LOCATION_SEPARATOR);
  const n = Math.min(parent.length, child.length, MAX_LOCATION_ELEMENTS);
  let matched = 0;
  while (matched < n && foldEqual(parent[matched], child[matched])) matched++;
  return matched / MAX_LOCATION_ELEMENTS;
}

/**
 * Host type: a seed parent (`super`) scores 1 while `ReceivedNormal` or `Running` (it is fetching the task for
 * the first time, so children should attach to it) and 0 in any other state (prefer normal peers then, to
 * offload seeds); a normal parent scores 0.5.
 */
export function hostTypeScore(type: HostType, state: PeerState): number {
  if (type === 'normal') return 0.5;
  return state === 'ReceivedNormal' || state === 'Running' ? 1 : 0;
}

/**
 * Finished pieces (previous base evaluator). With a known piece count: `parentFinished / totalPieceCount`.
 * Unknown (`totalPieceCount ≤ 0`): Dragonfly used the raw lead `parentFinished − childFinished`, which is
 * unbounded; here it is normalised by the largest lead among the candidates (`bestParentFinished −
 * childFinished`), so the candidate furthest ahead scores 1 and a parent not ahead of the child scores 0.
 */
export function finishedPieceScore(parentFinished: number, childFinished: number, totalPieceCount: number, bestParentFinished: number): number {
  if (totalPieceCount > 0) return clamp01(parentFinished / totalPieceCount);
  const bestLead = bestParentFinished - childFinished;
  return bestLead > 0 ? clamp01((parentFinished - childFinished) / bestLead) : 0;
}

/**
 * Upload success ratio of the parent's host (previous base evaluator): `(upload − failed) / upload`;
 * 1 for a host that never uploaded (try it), 0 when failures exceed uploads.
 */
export function uploadSuccessScore(host: Pick<EvaluatorHost, 'uploadCount' | 'uploadFailedCount'>): number {
  const { uploadCount, uploadFailedCount } = host;
  if (uploadCount < uploadFailedCount) return 0;
  if (uploadCount === 0) return 1;
  return clamp01((uploadCount - uploadFailedCount) / uploadCount);
}

/**
 * Free upload slots (previous base evaluator): `(limit − concurrent) / limit`; 0 when the limit is 0 or every
 * slot is taken (an overloaded host).
 */
export function freeUploadScore(host: Pick<EvaluatorHost, 'concurrentUploadLimit' | 'concurrentUploadCount'>): number {
  const { concurrentUploadLimit: limit, concurrentUploadCount: used } = host;
  if (!(limit > 0)) return 0;
  return clamp01((limit - used) / limit);
}

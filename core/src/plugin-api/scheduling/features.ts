/**
 * The numeric features of one (candidate parent, child) pair, as the scheduler records them and as learned
 * evaluators see them. One function, shared by the scheduler's download records, `d7y train` and the `ml`
 * evaluator, so that a model is always fed the features it was trained on. Each value is scaled to roughly
 * [0, 1] (logarithms for rates and sizes) so that a small model trains without further preprocessing.
 *
 * Changing the order, the meaning or the scaling of any feature bumps `PARENT_FEATURES_VERSION`; models
 * name the version and the feature list they were trained with, and the `ml` evaluator refuses a mismatch.
 */
import type { EvaluatorPeer } from './Evaluator.js';

/** Version of the feature list below. */
export const PARENT_FEATURES_VERSION = 1;

/** Feature names, in the order `parentFeatures` returns them. */
export const PARENT_FEATURE_NAMES: readonly string[] = Object.freeze([
  'parent_is_seed',
  'child_is_seed',
  'same_idc',
  'location_affinity',
  'parent_max_tx_log',
  'parent_tx_usage',
  'parent_upload_content_log',
  'parent_upload_slots_used',
  'parent_upload_pieces_log',
  'parent_finished_ratio',
  'parent_lead_log',
  'parent_upload_success',
  'parent_upload_rate_log',
  'parent_upload_rate_known',
  'parent_piece_cost_log',
  'parent_succeeded',
]);

const MiB = 1024 * 1024;
const fold = (value: string) => value.toLowerCase();
const finite = (value: number | undefined) => (value !== undefined && Number.isFinite(value) && value > 0 ? value : 0);
const ratio = (part: number, whole: number) => (whole > 0 ? Math.min(Math.max(part / whole, 0), 2) : 0);

/** Equal leading `|`-separated elements (ignoring case, at most 5) / 5; identical → 1; either empty → 0. */
function locationAffinity(a: string, b: string): number {
  if (a === '' || b === '') return 0;
  if (fold(a) === fold(b)) return 1;
  const x = a.split('|');
  const y = b.split('|');
  const n = Math.min(x.length, y.length, 5);
  let matched = 0;
  while (matched < n && fold(x[matched]) === fold(y[matched])) matched++;
  return matched / 5;
}

/**
 * The features of `parent` as a parent of `child` (see `PARENT_FEATURE_NAMES`); `totalPieceCount` is the
 * task's piece count, 0 when unknown. Pure: reads the views only.
 */
export function parentFeatures(parent: EvaluatorPeer, child: EvaluatorPeer, totalPieceCount: number): number[] {
  const host = parent.host;
  const costs = parent.pieceCosts;
  const meanCost = costs.length > 0 ? costs.reduce((sum, cost) => sum + cost, 0) / costs.length : 0;
  const rate = finite(host.uploadPieceRate);
  const uploads = host.uploadCount;
  const success = uploads === 0 ? 1 : Math.max(0, uploads - host.uploadFailedCount) / uploads;
  return [
    host.type === 'super' ? 1 : 0,
    child.host.type === 'super' ? 1 : 0,
    host.idc !== '' && fold(host.idc) === fold(child.host.idc) ? 1 : 0,
    locationAffinity(host.location, child.host.location),
    Math.log1p(finite(host.maxTxBandwidth) / 1e6) / 10,
    ratio(host.txBandwidth, host.maxTxBandwidth),
    Math.log1p(finite(host.uploadContentLength) / MiB) / 10,
    ratio(host.concurrentUploadCount, host.concurrentUploadLimit),
    Math.log1p(finite(host.concurrentUploadPieceCount)) / 5,
    totalPieceCount > 0 ? ratio(parent.finishedPieceCount, totalPieceCount) : 0,
    Math.log1p(Math.max(0, parent.finishedPieceCount - child.finishedPieceCount)) / 5,
    success,
    Math.log1p(rate / MiB) / 5,
    rate > 0 ? 1 : 0,
    Math.log1p(meanCost) / 10,
    parent.state === 'Succeeded' ? 1 : 0,
  ];
}

import type { Logger } from '../../plugin-api/Logger.js';
import type { Evaluator } from '../../plugin-api/scheduling/Evaluator.js';
import type { Peer } from '../resource/Peer.js';
import { peerView } from '../resource/views.js';

/** Why a sampled candidate was dropped (for debug logs and tests). */
export type FilterReason =
  | 'blocked'
  | 'disable-shared'
  | 'same-host'
  | 'not-in-dag'
  | 'no-parent-yet'
  | 'upload-limit'
  | 'bad-parent'
  | 'cycle';

/**
 * Why `candidate` may not be a parent of `child` now, or undefined if it may (spec 4.3 `filterCandidateParents`):
 * in the child's block list (which holds the child itself, rescheduled and failed parents), host shares
 * nothing, same host as the child, not in the task DAG, a normal host with no parents of its own that is
 * neither BackToSource nor Succeeded, host at its concurrent upload limit (d7y keeps Dragonfly's older
 * free-upload rule), `evaluator.isBadParent`, or the edge would close a cycle.
 */
export function rejectReason(candidate: Peer, child: Peer, evaluator: Evaluator): FilterReason | undefined {
  const task = child.task;
  if (child.blockParents.has(candidate.id) || candidate.id === child.id) return 'blocked';
  if (candidate.host.info.disableShared) return 'disable-shared';
  if (candidate.host.id === child.host.id) return 'same-host';
  if (candidate.task !== task || !task.dag.has(candidate.id)) return 'not-in-dag';
  if (!candidate.host.isSeed && task.dag.inDegree(candidate.id) === 0 && !candidate.fsm.is('BackToSource', 'Succeeded')) {
    return 'no-parent-yet';
  }
  if (candidate.host.concurrentUploadCount >= candidate.host.concurrentUploadLimit) return 'upload-limit';
  let bad: boolean;
  try {
    bad = evaluator.isBadParent(peerView(candidate));
  } catch {
    bad = true;
  }
  if (bad) return 'bad-parent';
  if (!task.canAddPeerEdge(candidate.id, child.id)) return 'cycle';
  return undefined;
}

/** Samples up to `limit` peers of the child's task and keeps those `rejectReason` accepts. */
export function filterCandidateParents(child: Peer, evaluator: Evaluator, limit: number, logger?: Logger): Peer[] {
  const kept: Peer[] = [];
  const dropped: Array<{ id: string; reason: FilterReason }> = [];
  for (const candidate of child.task.dag.random(limit)) {
    const reason = rejectReason(candidate, child, evaluator);
    if (reason === undefined) kept.push(candidate);
    else if (candidate.id !== child.id) dropped.push({ id: candidate.id, reason });
  }
  if (dropped.length > 0) logger?.debug({ peerId: child.id, dropped }, 'filtered candidate parents');
  return kept;
}

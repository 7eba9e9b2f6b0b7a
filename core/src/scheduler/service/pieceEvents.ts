import type { schedulerV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import type { Peer } from '../resource/Peer.js';
import type { EventOutcome } from './peerEvents.js';
import type { ServiceContext } from './ServiceContext.js';
import { assertId } from './validateCommon.js';
import { assertPieceNumber, validatePiece, type ReportedPiece } from './validatePiece.js';

/**
 * Counts an upload failure against `parent`'s host, only if this scheduler assigned that parent to the child
 * and only once per (child, parent): a child cannot drive an honest host's score down (test plan C05).
 */
function countParentFailure(child: Peer, parent: Peer): void {
  if (!child.assignedParents.has(parent.id) || child.failureCountedParents.has(parent.id)) return;
  child.failureCountedParents.add(parent.id);
  parent.host.uploadFailedCount++;
}

function recordFinished(peer: Peer, piece: ReportedPiece): void {
  const now = Date.now();
  peer.finishedPieces.add(piece.number);
  peer.appendPieceCost(piece.costMs);
  peer.pieceUpdatedAt = now;
  peer.touch(now);
  peer.task.updatedAt = now;
}

/**
 * `download_piece_finished_request` (peer-to-peer). The piece is checked against the task's trusted digest
 * when one is known: a mismatch is not recorded, blocks that parent for the child and counts as its failure.
 * Otherwise the piece is recorded and the parent (peer, host) is marked active with one more upload.
 */
export function handleDownloadPieceFinished(
  ctx: ServiceContext,
  peer: Peer,
  request: schedulerV2.DownloadPieceFinishedRequest__Output | null | undefined,
): EventOutcome {
  const task = peer.task;
  const piece = validatePiece(request?.piece, task);
  const candidate = piece.parentId ? ctx.resource.peers.get(piece.parentId) : undefined;
  const parent = candidate?.task === task ? candidate : undefined;
  if (task.trustedPieces.check(piece) === 'mismatch') {
    ctx.metrics.downloadPieceFinishedFailureTotal.inc({ traffic_type: 'remote_peer' });
    ctx.logger.warn({ peerId: peer.id, taskId: task.id, piece: piece.number, parentId: piece.parentId }, 'piece report disagrees with the trusted digest; ignored');
    if (piece.parentId) peer.blockParent(piece.parentId);
    if (parent) countParentFailure(peer, parent);
    return 'continue';
  }
  recordFinished(peer, piece);
  if (parent) {
    parent.touch();
    parent.host.touch();
    if (peer.assignedParents.has(parent.id)) {
      parent.host.uploadCount++;
      parent.host.observeUpload(piece.length, piece.costMs);
      ctx.records?.pieceFinished(peer, task.id, peer.id, parent.id, piece.length, piece.costMs);
    }
  }
  ctx.metrics.downloadPieceFinishedTotal.inc({ traffic_type: 'remote_peer' });
  ctx.metrics.traffic.inc({ type: 'remote_peer', task_type: 'standard' }, piece.length);
  return 'continue';
}

/**
 * `download_piece_back_to_source_finished_request`. The piece counts for the peer; it becomes a trusted digest
 * of the task only if the scheduler sent this peer back-to-source and it is in BackToSource. The first trusted
 * report of a piece wins; a different later report is logged and ignored.
 */
export function handleDownloadPieceBackToSourceFinished(
  ctx: ServiceContext,
  peer: Peer,
  request: schedulerV2.DownloadPieceBackToSourceFinishedRequest__Output | null | undefined,
): EventOutcome {
  const task = peer.task;
  const piece = validatePiece(request?.piece, task);
  recordFinished(peer, piece);
  ctx.metrics.downloadPieceFinishedTotal.inc({ traffic_type: 'back_to_source' });
  ctx.metrics.traffic.inc({ type: 'back_to_source', task_type: 'standard' }, piece.length);
  if (!peer.backToSourceGranted || !peer.fsm.is('BackToSource')) {
    ctx.logger.debug({ peerId: peer.id, taskId: task.id, piece: piece.number }, 'back-to-source piece from an unsanctioned peer; not trusted');
    return 'continue';
  }
  const result = task.trustedPieces.record({ ...piece, reporterId: peer.id });
  if (result === 'conflict') {
    ctx.metrics.trustedPieceConflictTotal.inc();
    const known = task.trustedPieces.get(piece.number);
    ctx.logger.warn(
      { taskId: task.id, peerId: peer.id, piece: piece.number, trusted: known?.digest, reported: piece.digest, trustedFrom: known?.reporterId },
      'back-to-source piece conflicts with the trusted digest; ignored',
    );
  }
  return 'continue';
}

/**
 * `download_piece_failed_request`: the parent joins the child's block list and, if it was assigned, its host
 * gets one upload failure. A non-temporary failure ends the stream with FAILED_PRECONDITION (Dragonfly).
 */
export function handleDownloadPieceFailed(
  ctx: ServiceContext,
  peer: Peer,
  request: schedulerV2.DownloadPieceFailedRequest__Output | null | undefined,
): EventOutcome {
  const parentId = assertId(request?.parentId, 'download_piece_failed_request.parent_id');
  if (request?.pieceNumber !== undefined && request.pieceNumber !== null) {
    assertPieceNumber(request.pieceNumber, peer.task, 'download_piece_failed_request.piece_number');
  }
  peer.touch();
  peer.blockParent(parentId);
  const parent = ctx.resource.peers.get(parentId);
  if (parent && parent.task === peer.task) {
    countParentFailure(peer, parent);
    ctx.records?.pieceFailed(peer, peer.task.id, peer.id, parent.id);
  }
  ctx.metrics.downloadPieceFinishedFailureTotal.inc({ traffic_type: 'remote_peer' });
  if (!request?.temporary) throw createError(ErrorCodes.FAILED_PRECONDITION, `download piece from parent ${parentId} failed`);
  return 'continue';
}

/** `download_piece_back_to_source_failed_request`: recorded, then the stream ends with INTERNAL (Dragonfly). */
export function handleDownloadPieceBackToSourceFailed(
  ctx: ServiceContext,
  peer: Peer,
  request: schedulerV2.DownloadPieceBackToSourceFailedRequest__Output | null | undefined,
): EventOutcome {
  if (request?.pieceNumber !== undefined && request.pieceNumber !== null) {
    assertPieceNumber(request.pieceNumber, peer.task, 'download_piece_back_to_source_failed_request.piece_number');
  }
  peer.touch();
  peer.task.updatedAt = Date.now();
  ctx.metrics.downloadPieceBackToSourceFinishedFailureTotal.inc();
  const reason = request?.backend?.message ?? request?.unknown?.message ?? 'unknown error';
  throw createError(ErrorCodes.INTERNAL, `download piece back-to-source failed: ${String(reason).slice(0, 200)}`);
}

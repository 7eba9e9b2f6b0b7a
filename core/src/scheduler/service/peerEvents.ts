import type { schedulerV2 } from '@d7y/proto';

import type { Peer } from '../resource/Peer.js';
import type { PeerStream } from './PeerStream.js';
import { scheduleAndAnswer } from './schedule.js';
import type { ServiceContext } from './ServiceContext.js';
import { assertId, invalid } from './validateCommon.js';

/** Whether the stream stays open after an event. */
export type EventOutcome = 'continue' | 'close';

/** `download_peer_started_request`: the task and the peer are Running. */
export function handleDownloadPeerStarted(ctx: ServiceContext, peer: Peer): EventOutcome {
  const task = peer.task;
  task.updatedAt = Date.now();
  if (!task.fsm.is('Running')) task.fsm.event('Download');
  if (!peer.fsm.is('Running')) peer.fsm.event('Download');
  ctx.metrics.downloadPeerStartedTotal.inc();
  return 'continue';
}

/** `download_peer_back_to_source_started_request`: the task is Running, the peer BackToSource. */
export function handleDownloadPeerBackToSourceStarted(ctx: ServiceContext, peer: Peer): EventOutcome {
  const task = peer.task;
  task.updatedAt = Date.now();
  if (!task.fsm.is('Running')) task.fsm.event('Download');
  if (!peer.fsm.is('BackToSource')) peer.fsm.event('DownloadBackToSource');
  ctx.metrics.downloadPeerBackToSourceStartedTotal.inc();
  return 'continue';
}

/**
 * `reschedule_peer_request`: the listed parents (at most `filter_parent_limit`) join the peer's block list,
 * then the scheduling loop runs again and answers.
 */
export async function handleReschedulePeer(
  ctx: ServiceContext,
  stream: PeerStream,
  peer: Peer,
  request: schedulerV2.ReschedulePeerRequest__Output | null | undefined,
): Promise<EventOutcome> {
  const parents = request?.candidateParents ?? [];
  if (parents.length > ctx.settings.filterParentLimit) {
    invalid(`reschedule_peer_request.candidate_parents has more than ${ctx.settings.filterParentLimit} entries`);
  }
  for (const [i, parent] of parents.entries()) {
    const id = assertId(parent?.id, `reschedule_peer_request.candidate_parents[${i}].id`);
    if (!peer.blockParent(id)) invalid('the peer has blocked too many parents');
  }
  ctx.logger.info({ peerId: peer.id, blocked: parents.length, description: request?.description?.slice(0, 200) }, 'reschedule requested');
  await scheduleAndAnswer(ctx, stream, peer);
  return 'continue';
}

/**
 * `download_peer_finished_request` / `..._back_to_source_finished_request`: the peer is Succeeded, and so is the
 * task unless the peer downloaded only a range of it.
 */
export function handleDownloadPeerFinished(ctx: ServiceContext, peer: Peer, backToSource: boolean): EventOutcome {
  if (!peer.fsm.is('Succeeded')) peer.fsm.event('DownloadSucceeded');
  const task = peer.task;
  task.updatedAt = Date.now();
  // A range download holds part of the task: it stays a parent for its pieces but does not complete the task.
  const whole = peer.holdsWholeTask();
  if (whole && task.fsm.can('DownloadSucceeded')) task.fsm.event('DownloadSucceeded');
  ctx.metrics.downloadPeerFinishedTotal.inc({ host_type: peer.host.type });
  ctx.metrics.downloadPeerDuration.observe({ host_type: peer.host.type }, Date.now() - peer.createdAt);
  ctx.logger.info({ peerId: peer.id, taskId: task.id, backToSource, pieces: peer.finishedPieces.size, partial: !whole || undefined }, 'peer finished');
  return 'close';
}

/**
 * `download_peer_failed_request` / `..._back_to_source_failed_request`: the peer is Failed. A failed
 * back-to-source also resets the task's size and fails the task (spec 3.2). A failing seed host marks the
 * task's seed peer as failed, so later registrations go back-to-source themselves.
 */
export function handleDownloadPeerFailed(ctx: ServiceContext, peer: Peer, backToSource: boolean, description: string | undefined): EventOutcome {
  const task = peer.task;
  if (!peer.fsm.is('Failed')) peer.fsm.event('DownloadFailed');
  task.updatedAt = Date.now();
  if (peer.host.isSeed) task.seedPeerFailedAt = Date.now();
  if (backToSource) {
    task.resetSizes();
    if (task.fsm.can('DownloadFailed')) task.fsm.event('DownloadFailed');
    ctx.metrics.downloadPeerBackToSourceFinishedFailureTotal.inc({ host_type: peer.host.type });
  } else {
    ctx.metrics.downloadPeerFinishedFailureTotal.inc({ host_type: peer.host.type });
  }
  ctx.logger.warn({ peerId: peer.id, taskId: task.id, backToSource, description: description?.slice(0, 200) }, 'peer failed');
  return 'close';
}

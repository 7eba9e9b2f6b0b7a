import { isD7yError } from '../../common/errors.js';
import type { Peer } from '../resource/Peer.js';
import type { PeerStream } from './PeerStream.js';
import type { ServiceContext } from './ServiceContext.js';
import { candidateParentsToProto } from './toProto.js';

/**
 * Runs the scheduling loop for `peer` and answers on its stream: `need_back_to_source_response` (the peer is
 * then allowed to report trusted back-to-source pieces) or `normal_task_response` with the candidate parents.
 * Rejects with the loop's error (FAILED_PRECONDITION after `retryLimit`, CANCELLED when the stream ends).
 */
export async function scheduleAndAnswer(ctx: ServiceContext, stream: PeerStream, peer: Peer): Promise<void> {
  const started = performance.now();
  ctx.metrics.concurrentScheduleTotal.inc();
  try {
    const decision = await ctx.scheduling.scheduleCandidateParents(peer, stream.signal);
    if (decision.kind === 'needBackToSource') {
      peer.backToSourceGranted = true;
      stream.send({ needBackToSourceResponse: { description: decision.description } });
      ctx.logger.info({ peerId: peer.id, taskId: peer.task.id, reason: decision.description }, 'peer needs back-to-source');
    } else {
      stream.send({ normalTaskResponse: { candidateParents: candidateParentsToProto(decision.parents) } });
      ctx.logger.info({ peerId: peer.id, taskId: peer.task.id, parents: decision.parents.map((p) => p.id) }, 'scheduled candidate parents');
    }
  } catch (error) {
    if (!isD7yError(error) || error.code !== 'D7Y_ERR_CANCELLED') {
      ctx.logger.warn({ peerId: peer.id, taskId: peer.task.id, err: error }, 'scheduling failed');
    }
    throw error;
  } finally {
    ctx.metrics.concurrentScheduleTotal.dec();
    ctx.metrics.scheduleDuration.observe(performance.now() - started);
  }
}

import type { schedulerV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { REGISTER_DELAY_BASE_MS, REGISTER_DELAY_MAX_MS } from '../constants.js';
import type { Host } from '../resource/Host.js';
import type { Peer } from '../resource/Peer.js';
import type { Task } from '../resource/Task.js';
import { exponentialDelay } from '../scheduling/delay.js';
import { effectivePriority } from './applicationPriority.js';
import type { PeerStream, StreamIds } from './PeerStream.js';
import { scheduleAndAnswer } from './schedule.js';
import type { ServiceContext } from './ServiceContext.js';
import { assertSameSource } from './sourceAddress.js';
import { parseDownload, type ParsedDownload, type TaskSizes } from './validateDownload.js';

/**
 * `handleRegisterPeerRequest` (spec 4.2): validates the download and the task id, creates or reuses the task,
 * creates the peer (handing it to `bind` at once so that the stream owns it even if registration fails),
 * decides whether it must go back-to-source or a seed peer is triggered, then answers: empty task, metadata
 * only, or the result of the scheduling loop.
 */
export async function handleRegisterPeer(
  ctx: ServiceContext,
  stream: PeerStream,
  ids: StreamIds,
  request: schedulerV2.RegisterPeerRequest__Output | null | undefined,
  sourceIp: string,
  bind: (peer: Peer) => void,
): Promise<void> {
  const download = parseDownload(request?.download, ids.taskId);
  let host = loadHost(ctx, ids.hostId, sourceIp);
  if (!host.isSeed && ctx.settings.registerDelay) {
    const attempt = host.concurrentRegisterCount++;
    try {
      await ctx.sleep(exponentialDelay(attempt, REGISTER_DELAY_BASE_MS, REGISTER_DELAY_MAX_MS), stream.signal);
    } finally {
      host.concurrentRegisterCount = Math.max(0, host.concurrentRegisterCount - 1);
    }
    host = loadHost(ctx, ids.hostId, sourceIp);
  }

  // From here on everything is synchronous until scheduling, so that two registrations of a new task cannot
  // both see it Pending and trigger two seed peers.
  const task = ctx.resource.tasks.loadOrCreate({ ...download.task, backToSourceLimit: ctx.settings.backToSourceCount });
  applySizes(ctx, task, host, download.sizes);
  const peer = createPeer(ctx, ids, download, task, host);
  bind(peer);
  const labels = { priority: peer.priority, task_type: 'STANDARD', host_type: host.type };
  try {
    if (download.metadataOnly) {
      if (!task.fsm.is('Running')) task.fsm.event('Download');
      peer.fsm.event('RegisterNormal');
      ctx.metrics.registerPeerTotal.inc(labels);
      stream.send({ metadataOnlyResponse: {} });
      return;
    }
    decideBackToSource(ctx, peer, download, stream.traceparent);
    if (!task.fsm.is('Running')) task.fsm.event('Download');
    ctx.metrics.registerPeerTotal.inc(labels);
    if (task.sizeScope() === 'EMPTY') {
      peer.fsm.event('RegisterEmpty');
      stream.send({ emptyTaskResponse: {} });
      return;
    }
    peer.fsm.event('RegisterNormal');
    peer.blockParent(peer.id);
  } catch (error) {
    ctx.metrics.registerPeerFailureTotal.inc(labels);
    throw error;
  }
  await scheduleAndAnswer(ctx, stream, peer);
}

function loadHost(ctx: ServiceContext, hostId: string, sourceIp: string): Host {
  const host = ctx.resource.hosts.get(hostId);
  if (!host) throw createError(ErrorCodes.NOT_FOUND, `host ${hostId} not found; announce the host first`);
  assertSameSource(ctx, host, sourceIp);
  return host;
}

/**
 * Task sizes come from the first registration that knows them. A seed host (which has just asked the origin)
 * may correct them while no trusted piece has been recorded; any other disagreement is logged and ignored,
 * and that peer's piece reports will then fail validation.
 */
function applySizes(ctx: ServiceContext, task: Task, host: Host, sizes: TaskSizes | undefined): void {
  if (!sizes) return;
  if (!task.sizeKnown) {
    task.setSizes(sizes.contentLength, sizes.pieceLength, sizes.pieceCount);
    return;
  }
  if (task.contentLength === sizes.contentLength && task.pieceLength === sizes.pieceLength) return;
  if (host.isSeed && task.trustedPieces.size === 0) {
    ctx.logger.info({ taskId: task.id, hostId: host.id, contentLength: sizes.contentLength }, 'seed peer corrected task sizes');
    task.setSizes(sizes.contentLength, sizes.pieceLength, sizes.pieceCount);
    return;
  }
  ctx.logger.warn(
    { taskId: task.id, hostId: host.id, known: task.contentLength, claimed: sizes.contentLength },
    'registration disagrees with the known task sizes; keeping the known ones',
  );
}

function createPeer(ctx: ServiceContext, ids: StreamIds, download: ParsedDownload, task: Task, host: Host): Peer {
  const existing = ctx.resource.peers.get(ids.peerId);
  if (existing) {
    if (existing.host !== host || existing.task !== task || existing.state !== 'Leave') {
      throw createError(ErrorCodes.ALREADY_EXISTS, `peer ${ids.peerId} is already registered`);
    }
    ctx.resource.peers.delete(existing);
  }
  return ctx.resource.peers.create({ id: ids.peerId, ...download.peer }, task, host);
}

/**
 * Step 4-5 of spec 4.2. A peer that asks for it, or runs on a seed host, goes back-to-source. On the first
 * download of a task (Pending/Failed/Leave, or Succeeded with no other available peer) the priority decides (a
 * LEVEL0 download takes its manager application's priority, see `applicationPriority.ts`):
 * LEVEL1 is refused, LEVEL2 fails with NOT_FOUND, LEVEL3 goes back-to-source, and LEVEL0/4/5/6 trigger a
 * seed peer unless none is usable or one failed this task in the last 30 minutes (then back-to-source).
 */
function decideBackToSource(ctx: ServiceContext, peer: Peer, download: ParsedDownload, traceparent?: string): void {
  const task = peer.task;
  if (download.needBackToSource || peer.host.isSeed) {
    peer.needBackToSource = true;
    return;
  }
  const firstDownload =
    task.fsm.is('Pending', 'Failed', 'Leave') || (task.fsm.is('Succeeded') && !task.hasAvailablePeer(new Set([peer.id]), peer.host.id));
  if (!firstDownload) return;
  const priority = effectivePriority(peer.priority, task, ctx.applications?.() ?? []);
  if (priority !== peer.priority) ctx.logger.debug({ peerId: peer.id, application: task.application, priority }, 'priority from the application');
  switch (priority) {
    case 'LEVEL1':
      throw createError(ErrorCodes.FAILED_PRECONDITION, `${priority} peer is forbidden`);
    case 'LEVEL2':
      throw createError(ErrorCodes.NOT_FOUND, `${priority} peer not found candidate peers`);
    case 'LEVEL3':
      peer.needBackToSource = true;
      return;
    default:
      if (ctx.seedPeer && !task.isSeedPeerFailed() && ctx.seedPeer.trigger(task, download.raw, traceparent)) {
        ctx.metrics.triggerSeedPeerTotal.inc();
        return;
      }
      peer.needBackToSource = true;
  }
}

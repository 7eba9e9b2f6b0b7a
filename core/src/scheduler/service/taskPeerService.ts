import type { commonV2, schedulerV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { assertTaskId } from '../../common/ids.js';
import type { Peer } from '../resource/Peer.js';
import type { ServiceContext } from './ServiceContext.js';
import { assertSameSource } from './sourceAddress.js';
import { peerToProto, taskToProto } from './toProto.js';
import { assertId } from './validateCommon.js';

/** StatTask: the task with its trusted pieces (origin digests); `hasAvailablePeer` excludes the caller's host. */
export function statTask(ctx: ServiceContext, request: schedulerV2.StatTaskRequest__Output): commonV2.Task {
  const taskId = assertTaskId(request.taskId);
  const task = ctx.resource.tasks.get(taskId);
  if (!task) throw createError(ErrorCodes.NOT_FOUND, `task ${taskId} not found`);
  return taskToProto(task, { forHostId: request.hostId || undefined });
}

/** DeleteTask: the calling host's peers of the task leave and are removed. */
export function deleteTask(ctx: ServiceContext, request: schedulerV2.DeleteTaskRequest__Output, sourceIp: string): void {
  const hostId = assertId(request.hostId, 'host_id');
  const taskId = assertTaskId(request.taskId);
  const host = ctx.resource.hosts.get(hostId);
  if (!host) throw createError(ErrorCodes.NOT_FOUND, `host ${hostId} not found`);
  const task = ctx.resource.tasks.get(taskId);
  if (!task) throw createError(ErrorCodes.NOT_FOUND, `task ${taskId} not found`);
  assertSameSource(ctx, host, sourceIp);
  for (const peer of ctx.resource.peersOf(task, host)) ctx.resource.removePeer(peer);
}

/** The peer named by a Stat/DeletePeer request; it must belong to the given task and host when they are set. */
function loadPeer(ctx: ServiceContext, request: { hostId: string; taskId: string; peerId: string }): Peer {
  const peerId = assertId(request.peerId, 'peer_id');
  const peer = ctx.resource.peers.get(peerId);
  if (!peer || (request.taskId && peer.task.id !== request.taskId) || (request.hostId && peer.host.id !== request.hostId)) {
    throw createError(ErrorCodes.NOT_FOUND, `peer ${peerId} not found`);
  }
  return peer;
}

/** StatPeer: the peer with its host, its task (trusted pieces) and its finished piece numbers. */
export function statPeer(ctx: ServiceContext, request: schedulerV2.StatPeerRequest__Output): commonV2.Peer {
  return peerToProto(loadPeer(ctx, request), { withPieces: true });
}

/** DeletePeer: the peer leaves and is removed. Only its own host may delete it. */
export function deletePeer(ctx: ServiceContext, request: schedulerV2.DeletePeerRequest__Output, sourceIp: string): void {
  const peer = loadPeer(ctx, request);
  assertSameSource(ctx, peer.host, sourceIp);
  ctx.resource.removePeer(peer);
}

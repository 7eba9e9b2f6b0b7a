import type { commonV2, googleProtobuf } from '@d7y/proto';

import type { Host } from '../resource/Host.js';
import type { Peer } from '../resource/Peer.js';
import type { Task } from '../resource/Task.js';

/**
 * Most trusted pieces put into one answer (about 45 bytes each on the wire, so well under the 4 MiB message
 * limit). Tasks with more trusted pieces send the lowest-numbered ones; children ask StatTask again later.
 */
export const MAX_PIECES_PER_MESSAGE = 60_000;

/** A proto Timestamp from epoch milliseconds. */
export function timestamp(ms: number): googleProtobuf.Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) };
}

/** A proto Duration from milliseconds. */
export function duration(ms: number): googleProtobuf.Duration {
  const safe = Math.max(0, ms);
  return { seconds: Math.floor(safe / 1000), nanos: Math.round((safe % 1000) * 1e6) };
}

/** The announced host as a proto Host, with the scheduler's bandwidth estimate. */
export function hostToProto(host: Host): commonV2.Host {
  const info = host.info;
  return {
    id: info.id,
    type: info.type === 'super' ? 1 : 0,
    hostname: info.hostname,
    ip: info.ip,
    port: info.port,
    downloadPort: info.downloadPort,
    proxyPort: info.proxyPort,
    name: info.name,
    os: info.os,
    platform: info.platform,
    platformFamily: info.platformFamily,
    platformVersion: info.platformVersion,
    kernelVersion: info.kernelVersion,
    network: {
      idc: info.idc,
      location: info.location,
      maxTxBandwidth: info.maxTxBandwidth,
      maxRxBandwidth: info.maxRxBandwidth,
      txBandwidth: host.txBandwidth,
    },
    disableShared: info.disableShared,
    schedulerClusterId: info.schedulerClusterId,
    build: { gitVersion: info.gitVersion },
  };
}

/** The task's trusted pieces (origin digests) as proto Pieces, at most `limit`. */
export function trustedPiecesToProto(task: Task, limit = MAX_PIECES_PER_MESSAGE): commonV2.Piece[] {
  return task.trustedPieces
    .list()
    .slice(0, limit)
    .map((piece) => ({
      number: piece.number,
      offset: piece.offset,
      length: piece.length,
      digest: piece.digest,
      trafficType: 'BACK_TO_SOURCE',
      createdAt: timestamp(piece.createdAt),
    }));
}

/**
 * The task as a proto Task. `pieces` are the trusted pieces (never a peer's own claims). Request headers are
 * never returned (they may carry credentials). `hasAvailablePeer` is relative to `forHostId`: true when a peer
 * on another host is running, back-to-source or finished.
 */
export function taskToProto(task: Task, options: { forHostId?: string; pieceLimit?: number } = {}): commonV2.Task {
  return {
    id: task.id,
    type: 'STANDARD',
    url: task.url,
    digest: task.digest,
    tag: task.tag,
    application: task.application,
    filteredQueryParams: [...task.filteredQueryParams],
    contentLength: Math.max(0, task.contentLength),
    pieceCount: task.pieceCount,
    sizeScope: task.sizeScope(),
    pieces: trustedPiecesToProto(task, options.pieceLimit),
    state: task.state,
    peerCount: task.peerCount,
    hasAvailablePeer: task.dag
      .values()
      .some((peer) => peer.host.id !== options.forHostId && peer.fsm.is('Running', 'BackToSource', 'Succeeded')),
    createdAt: timestamp(task.createdAt),
    updatedAt: timestamp(task.updatedAt),
  };
}

/**
 * The peer as a proto Peer with its Host (ip, port = upload gRPC, downloadPort = piece data) and Task (with
 * the trusted pieces, at most `pieceLimit`). `withPieces` adds the peer's finished piece numbers (StatPeer).
 */
export function peerToProto(peer: Peer, options: { withPieces?: boolean; pieceLimit?: number; now?: number } = {}): commonV2.Peer {
  const now = options.now ?? Date.now();
  const message: commonV2.Peer = {
    id: peer.id,
    priority: peer.priority,
    cost: duration(now - peer.createdAt),
    state: peer.state,
    task: taskToProto(peer.task, { pieceLimit: options.pieceLimit }),
    host: hostToProto(peer.host),
    needBackToSource: peer.needBackToSource,
    createdAt: timestamp(peer.createdAt),
    updatedAt: timestamp(peer.updatedAt),
    concurrentPieceCount: peer.concurrentPieceCount,
  };
  if (peer.range) message.range = { ...peer.range };
  if (options.withPieces) {
    message.pieces = [...peer.finishedPieces]
      .sort((a, b) => a - b)
      .slice(0, MAX_PIECES_PER_MESSAGE)
      .map((number) => {
        const trusted = peer.task.trustedPieces.get(number);
        return trusted ? { number, offset: trusted.offset, length: trusted.length, digest: trusted.digest } : { number };
      });
  }
  return message;
}

/** Candidate parents for a NormalTaskResponse: every parent carries the trusted pieces while they fit. */
export function candidateParentsToProto(parents: readonly Peer[]): commonV2.Peer[] {
  const trusted = parents[0]?.task.trustedPieces.size ?? 0;
  const perParent = trusted * parents.length <= MAX_PIECES_PER_MESSAGE;
  return parents.map((parent, index) => peerToProto(parent, { pieceLimit: perParent || index === 0 ? MAX_PIECES_PER_MESSAGE : 0 }));
}

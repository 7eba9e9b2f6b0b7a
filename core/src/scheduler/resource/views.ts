import type { EvaluatorHost, EvaluatorPeer } from '../../plugin-api/scheduling/Evaluator.js';
import type { Host } from './Host.js';
import type { Peer } from './Peer.js';

/** A frozen snapshot of a host for evaluators (never the mutable object). */
export function hostView(host: Host): EvaluatorHost {
  return Object.freeze({
    id: host.id,
    type: host.type,
    hostname: host.info.hostname,
    ip: host.info.ip,
    idc: host.info.idc,
    location: host.info.location,
    maxTxBandwidth: host.info.maxTxBandwidth,
    txBandwidth: host.txBandwidth,
    uploadContentLength: host.uploadContentLength,
    concurrentUploadLimit: host.concurrentUploadLimit,
    concurrentUploadCount: host.concurrentUploadCount,
    concurrentUploadPieceCount: host.concurrentUploadPieceCount,
    uploadCount: host.uploadCount,
    uploadFailedCount: host.uploadFailedCount,
    uploadPieceRate: host.uploadPieceRate,
  });
}

/** A frozen snapshot of a peer for evaluators (never the mutable object). */
export function peerView(peer: Peer): EvaluatorPeer {
  return Object.freeze({
    id: peer.id,
    state: peer.state,
    host: hostView(peer.host),
    finishedPieceCount: peer.finishedPieces.size,
    pieceCosts: Object.freeze([...peer.pieceCosts]),
  });
}

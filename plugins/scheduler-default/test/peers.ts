/** Test helpers: evaluator views with neutral defaults, overridable per field. */
import type { EvaluatorHost, EvaluatorPeer } from '@d7y/core/plugin-api';

/** 10 Gbps, a typical announced `network.max_tx_bandwidth`. */
export const GBPS_10 = 10_000_000_000;

/** A host with no announced bandwidth, no load, no history, no IDC or location. */
export function host(over: Partial<EvaluatorHost> = {}): EvaluatorHost {
  return {
    id: 'host',
    type: 'normal',
    hostname: 'host',
    ip: '10.0.0.1',
    idc: '',
    location: '',
    maxTxBandwidth: 0,
    txBandwidth: 0,
    uploadContentLength: 0,
    concurrentUploadLimit: 200,
    concurrentUploadCount: 0,
    concurrentUploadPieceCount: 0,
    uploadCount: 0,
    uploadFailedCount: 0,
    ...over,
  };
}

/** A `Running` peer on `host(hostOver)`. */
export function peer(id: string, hostOver: Partial<EvaluatorHost> = {}, over: Partial<Omit<EvaluatorPeer, 'host'>> = {}): EvaluatorPeer {
  return { id, state: 'Running', host: host({ id: `${id}-host`, hostname: id, ...hostOver }), finishedPieceCount: 0, pieceCosts: [], ...over };
}

import { describe, expect, it } from 'vitest';

import type { EvaluatorHost, EvaluatorPeer } from './Evaluator.js';
import { PARENT_FEATURE_NAMES, parentFeatures } from './features.js';

const host = (over: Partial<EvaluatorHost> = {}): EvaluatorHost => ({
  id: 'h', type: 'normal', hostname: 'h', ip: '10.0.0.1', idc: '', location: '', maxTxBandwidth: 0, txBandwidth: 0, uploadContentLength: 0,
  concurrentUploadLimit: 200, concurrentUploadCount: 0, concurrentUploadPieceCount: 0, uploadCount: 0, uploadFailedCount: 0, ...over,
});
const peer = (over: Partial<EvaluatorPeer> = {}, hostOver: Partial<EvaluatorHost> = {}): EvaluatorPeer => ({
  id: 'p', state: 'Running', finishedPieceCount: 0, pieceCosts: [], host: host(hostOver), ...over,
});
const named = (values: number[]) => Object.fromEntries(PARENT_FEATURE_NAMES.map((name, i) => [name, values[i]]));

describe('parentFeatures', () => {
  it('returns one finite value per named feature, all zero-ish for an unknown idle normal host', () => {
    const values = parentFeatures(peer(), peer(), 0);
    expect(values).toHaveLength(PARENT_FEATURE_NAMES.length);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(named(values)).toMatchObject({ parent_is_seed: 0, same_idc: 0, parent_upload_rate_known: 0, parent_upload_success: 1, parent_finished_ratio: 0 });
  });

  it('encodes host type, IDC (ignoring case), location prefix, progress, load and the observed upload rate', () => {
    const parent = peer(
      { state: 'Succeeded', finishedPieceCount: 8, pieceCosts: [100, 300] },
      { type: 'super', idc: 'IDC-A', location: 'cn|bj|x', maxTxBandwidth: 1e9, txBandwidth: 5e8, concurrentUploadCount: 50, uploadCount: 10, uploadFailedCount: 2, uploadPieceRate: 1048576 * (Math.E - 1) },
    );
    const child = peer({ finishedPieceCount: 2 }, { idc: 'idc-a', location: 'cn|bj|y' });
    const f = named(parentFeatures(parent, child, 16));
    expect(f).toMatchObject({ parent_is_seed: 1, child_is_seed: 0, same_idc: 1, location_affinity: 0.4, parent_tx_usage: 0.5, parent_upload_slots_used: 0.25, parent_finished_ratio: 0.5, parent_upload_success: 0.8, parent_upload_rate_known: 1, parent_succeeded: 1 });
    expect(f.parent_upload_rate_log).toBeCloseTo(0.2);
    expect(f.parent_lead_log).toBeCloseTo(Math.log1p(6) / 5);
    expect(f.parent_piece_cost_log).toBeCloseTo(Math.log1p(200) / 10);
  });

  it('a faster observed uploader gets a larger rate feature', () => {
    const rate = (r: number) => named(parentFeatures(peer({}, { uploadPieceRate: r }), peer(), 0)).parent_upload_rate_log;
    expect(rate(10e6)).toBeGreaterThan(rate(2e6));
  });
});

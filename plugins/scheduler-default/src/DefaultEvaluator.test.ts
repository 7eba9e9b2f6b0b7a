import { describe, expect, it } from 'vitest';

import type { EvaluatorPeer } from '@d7y/core/plugin-api';

import { GBPS_10, peer } from '../test/peers.js';
import { DefaultEvaluator } from './DefaultEvaluator.js';

const child = peer('child', { idc: 'idc-a', location: 'cn|bj|haidian' }, { state: 'ReceivedNormal' });
const ids = (peers: readonly EvaluatorPeer[]) => peers.map((p) => p.id);
const evaluator = new DefaultEvaluator();

/** A normal host with 10 Gbps announced and no load. */
const idle = { maxTxBandwidth: GBPS_10 };
/** A normal host with 10 Gbps announced, 90% used, a minute's worth queued and far too many pieces in flight. */
const busy = { maxTxBandwidth: GBPS_10, txBandwidth: 9e9, uploadContentLength: 75e9, concurrentUploadPieceCount: 400 };

describe('DefaultEvaluator.evaluateParents: ordering', () => {
  it.each<{ name: string; candidates: EvaluatorPeer[]; total?: number; want: string[] }>([
    {
      name: 'an idle seed in the child IDC ranks above a busy normal peer in the same IDC',
      candidates: [peer('busy-normal', { ...busy, idc: 'idc-a' }), peer('idle-seed', { ...idle, type: 'super', idc: 'IDC-A' })],
      want: ['idle-seed', 'busy-normal'],
    },
    {
      name: 'at equal load, a peer in the child IDC beats one elsewhere',
      candidates: [peer('elsewhere', { ...idle, idc: 'idc-b' }), peer('same-idc', { ...idle, idc: 'idc-a' })],
      want: ['same-idc', 'elsewhere'],
    },
    {
      name: 'at equal load and IDC, the closer location wins',
      candidates: [peer('other-city', { ...idle, location: 'cn|sh' }), peer('same-district', { ...idle, location: 'cn|bj|haidian' })],
      want: ['same-district', 'other-city'],
    },
    {
      name: 'an idle peer beats an overloaded one',
      candidates: [peer('busy', busy), peer('idle', idle)],
      want: ['idle', 'busy'],
    },
    {
      name: 'a seed that finished the task (Succeeded) yields to a normal peer',
      candidates: [peer('done-seed', { ...idle, type: 'super' }, { state: 'Succeeded' }), peer('normal', idle)],
      want: ['normal', 'done-seed'],
    },
    {
      name: 'bandwidth mode: with announced bandwidth, the candidate without one loses on load',
      candidates: [peer('unknown-bw', {}), peer('known-bw', idle)],
      want: ['known-bw', 'unknown-bw'],
    },
    {
      name: 'bandwidth mode: all else equal, more finished pieces first',
      candidates: [peer('few', idle, { finishedPieceCount: 2 }), peer('many', idle, { finishedPieceCount: 9 })],
      total: 10,
      want: ['many', 'few'],
    },
    {
      name: 'fallback: all else equal, more finished pieces first (known total)',
      candidates: [peer('few', {}, { finishedPieceCount: 2 }), peer('many', {}, { finishedPieceCount: 9 })],
      total: 10,
      want: ['many', 'few'],
    },
    {
      name: 'fallback: all else equal, more finished pieces first (unknown total)',
      candidates: [peer('behind', {}, { finishedPieceCount: 1 }), peer('few', {}, { finishedPieceCount: 4 }), peer('many', {}, { finishedPieceCount: 30 })],
      total: 0,
      want: ['many', 'few', 'behind'],
    },
    {
      name: 'fallback: a host whose uploads fail ranks below a reliable one',
      candidates: [peer('flaky', { uploadCount: 100, uploadFailedCount: 60 }), peer('reliable', { uploadCount: 100, uploadFailedCount: 1 })],
      want: ['reliable', 'flaky'],
    },
    {
      name: 'fallback: a host with every upload slot taken ranks below a free one',
      candidates: [peer('full', { concurrentUploadCount: 200 }), peer('free', { concurrentUploadCount: 10 })],
      want: ['free', 'full'],
    },
    {
      name: 'fallback: the child IDC still beats an equally loaded peer elsewhere',
      candidates: [peer('elsewhere', { idc: 'idc-b' }), peer('same-idc', { idc: 'idc-a' })],
      want: ['same-idc', 'elsewhere'],
    },
  ])('$name', ({ candidates, total = 0, want }) => {
    expect(ids(evaluator.evaluateParents(candidates, { ...child, finishedPieceCount: 2 }, total))).toEqual(want);
  });

  it('keeps input order for ties, moving only better candidates ahead', () => {
    const same = ['a', 'b', 'c', 'd', 'e'].map((id) => peer(id, idle, { finishedPieceCount: 3 }));
    expect(ids(evaluator.evaluateParents(same, child, 10))).toEqual(['a', 'b', 'c', 'd', 'e']);
    const withBest = [...same.slice(0, 2), peer('best', { ...idle, idc: 'idc-a' }), ...same.slice(2)];
    expect(ids(evaluator.evaluateParents(withBest, child, 10))).toEqual(['best', 'a', 'b', 'c', 'd', 'e']);
    const fallbackTies = ['x', 'y', 'z'].map((id) => peer(id));
    expect(ids(evaluator.evaluateParents(fallbackTies, child, 0))).toEqual(['x', 'y', 'z']);
  });

  it('drops nothing, adds nothing and leaves its input alone', () => {
    const candidates = Object.freeze([peer('1', busy), peer('2', idle, { state: 'Failed' }), peer('3', {}, { state: 'Leave' }), peer('4', idle)]);
    const ranked = evaluator.evaluateParents(candidates, child, 0);
    expect(ranked).toHaveLength(4);
    expect(new Set(ranked)).toEqual(new Set(candidates));
    expect(ids(candidates)).toEqual(['1', '2', '3', '4']);
    expect(evaluator.evaluateParents([], child, 0)).toEqual([]);
  });
});

describe('DefaultEvaluator.rank: the formula', () => {
  it("bandwidth mode is Dragonfly's formula: 0.6·(0.5·peak + 0.3·duration + 0.2·concurrency) + 0.2·idc + 0.1·location + 0.1·hostType", () => {
    // peak 1 - 2.5/10 = 0.75; duration 1 - 30e9·8/8e9/60 = 0.5; concurrency: needed = 8e9/16MiB/8 ≈ 59.6 < 119 → 59.6/119.
    const parent = peer('p', { maxTxBandwidth: 8e9, txBandwidth: 2e9, uploadContentLength: 30e9, concurrentUploadPieceCount: 119, idc: 'idc-a', location: 'cn|bj|chaoyang' });
    const needed = 8e9 / (16 * 1024 * 1024) / 8;
    const load = 0.5 * 0.75 + 0.3 * 0.5 + 0.2 * (needed / 119);
    const [score] = evaluator.rank([parent], child, 0);
    expect(score.mode).toBe('bandwidth');
    expect(score.loadQuality).toBeCloseTo(load, 12);
    expect(score).toMatchObject({ idcAffinity: 1, hostType: 0.5 });
    expect(score.locationAffinity).toBeCloseTo(0.4, 12);
    expect(score.total).toBeCloseTo(0.6 * load + 0.2 * 1 + 0.1 * 0.4 + 0.1 * 0.5, 12);
  });

  it('fallback mode (no candidate announced bandwidth) uses (0.2·finished + 0.2·uploadSuccess + 0.15·freeUpload) / 0.55 as LoadQuality', () => {
    const parent = peer('p', { uploadCount: 10, uploadFailedCount: 2, concurrentUploadLimit: 200, concurrentUploadCount: 50, type: 'super' }, { finishedPieceCount: 5 });
    const load = (0.2 * 0.5 + 0.2 * 0.8 + 0.15 * 0.75) / 0.55;
    const [score] = evaluator.rank([parent], child, 10);
    expect(score.mode).toBe('fallback');
    expect(score.loadQuality).toBeCloseTo(load, 12);
    expect(score.total).toBeCloseTo(0.6 * load + 0.1 * 1, 12);
  });

  it('without the fallback, unknown bandwidth would zero LoadQuality for everyone', () => {
    const scores = evaluator.rank([peer('a', { concurrentUploadCount: 150 }), peer('b')], child, 0);
    expect(scores.every((s) => s.mode === 'fallback' && s.loadQuality > 0)).toBe(true);
    expect(scores.map((s) => s.peer.id)).toEqual(['b', 'a']);
  });

  it('one announced bandwidth switches every candidate to bandwidth mode', () => {
    const scores = evaluator.rank([peer('a', idle), peer('b')], child, 0);
    expect(scores.map((s) => [s.peer.id, s.mode, s.loadQuality])).toEqual([
      ['a', 'bandwidth', 1],
      ['b', 'bandwidth', 0],
    ]);
  });

  it('honours weight overrides', () => {
    const noIdc = new DefaultEvaluator({ weights: { idcAffinity: 0 } });
    const candidates = [peer('elsewhere', { ...idle, location: 'cn|bj|haidian' }), peer('same-idc', { ...idle, idc: 'idc-a' })];
    expect(ids(evaluator.evaluateParents(candidates, child, 0))).toEqual(['same-idc', 'elsewhere']);
    expect(ids(noIdc.evaluateParents(candidates, child, 0))).toEqual(['elsewhere', 'same-idc']);
    expect(noIdc.weights).toMatchObject({ idcAffinity: 0, loadQuality: 0.6 });
  });

  it('logs one debug line per evaluation with every term', () => {
    const lines: { fields: object; message?: string }[] = [];
    const record = (fields: object, message?: string) => void lines.push({ fields, message });
    const logger = { trace: record, debug: record, info: record, warn: record, error: record, child: () => logger };
    new DefaultEvaluator({ logger }).evaluateParents([peer('a', idle)], child, 0);
    expect(lines).toEqual([
      {
        message: 'evaluated parents',
        fields: { child: 'child', mode: 'bandwidth', parents: [expect.objectContaining({ id: 'a', loadQuality: 1, idcAffinity: 0 })] },
      },
    ]);
  });
});

import { describe, expect, it } from 'vitest';

import type { HostType, PeerState } from '@d7y/core/plugin-api';

import { host } from '../test/peers.js';
import {
  bandwidthDurationScore,
  clamp01,
  concurrencyScore,
  finishedPieceScore,
  freeUploadScore,
  hostTypeScore,
  idcAffinityScore,
  locationAffinityScore,
  peakBandwidthUsageScore,
  uploadSuccessScore,
} from './scores.js';

const MiB = 1024 * 1024;
/** Bandwidth at which exactly `n` 16 MiB pieces per second saturate the link (`needed = n`). */
const piecesPerSecond = (n: number) => n * 16 * MiB * 8;

describe('peakBandwidthUsageScore = max(0, 1 - tx/maxTx)', () => {
  it.each([
    { name: 'unknown bandwidth', maxTxBandwidth: 0, txBandwidth: 0, want: 0 },
    { name: 'unknown bandwidth, some use', maxTxBandwidth: 0, txBandwidth: 5e9, want: 0 },
    { name: 'idle', maxTxBandwidth: 10e9, txBandwidth: 0, want: 1 },
    { name: 'quarter used', maxTxBandwidth: 10e9, txBandwidth: 2.5e9, want: 0.75 },
    { name: 'saturated', maxTxBandwidth: 10e9, txBandwidth: 10e9, want: 0 },
    { name: 'overloaded', maxTxBandwidth: 10e9, txBandwidth: 25e9, want: 0 },
  ])('$name → $want', ({ maxTxBandwidth, txBandwidth, want }) => {
    expect(peakBandwidthUsageScore(host({ maxTxBandwidth, txBandwidth }))).toBeCloseTo(want, 12);
  });
});

describe('bandwidthDurationScore = max(0, 1 - upload·8/maxTx/60)', () => {
  it.each([
    { name: 'unknown bandwidth, nothing uploading (bandwidth checked first)', maxTxBandwidth: 0, uploadContentLength: 0, want: 0 },
    { name: 'unknown bandwidth, uploading', maxTxBandwidth: 0, uploadContentLength: 1e9, want: 0 },
    { name: 'nothing uploading', maxTxBandwidth: 8e9, uploadContentLength: 0, want: 1 },
    { name: '30 s of a 60 s window', maxTxBandwidth: 8e9, uploadContentLength: 30e9, want: 0.5 },
    { name: 'exactly the window', maxTxBandwidth: 8e9, uploadContentLength: 60e9, want: 0 },
    { name: 'overloaded', maxTxBandwidth: 8e9, uploadContentLength: 600e9, want: 0 },
  ])('$name → $want', ({ maxTxBandwidth, uploadContentLength, want }) => {
    expect(bandwidthDurationScore(host({ maxTxBandwidth, uploadContentLength }))).toBeCloseTo(want, 12);
  });
});

describe('concurrencyScore (needed = maxTx / 16 MiB / 8)', () => {
  it.each([
    { name: 'unknown bandwidth', maxTxBandwidth: 0, concurrentUploadPieceCount: 0, want: 0 },
    { name: 'needed = 1: too little bandwidth', maxTxBandwidth: piecesPerSecond(1), concurrentUploadPieceCount: 0, want: 0 },
    { name: 'needed < 1', maxTxBandwidth: 100e6, concurrentUploadPieceCount: 0, want: 0 },
    { name: 'no piece uploading', maxTxBandwidth: piecesPerSecond(10), concurrentUploadPieceCount: 0, want: 1 },
    { name: 'at capacity (ratio 1)', maxTxBandwidth: piecesPerSecond(10), concurrentUploadPieceCount: 10, want: 1 },
    { name: 'twice the capacity', maxTxBandwidth: piecesPerSecond(10), concurrentUploadPieceCount: 20, want: 0.5 },
    { name: 'overloaded, four times', maxTxBandwidth: piecesPerSecond(10), concurrentUploadPieceCount: 40, want: 0.25 },
  ])('$name → $want', ({ maxTxBandwidth, concurrentUploadPieceCount, want }) => {
    expect(concurrencyScore(host({ maxTxBandwidth, concurrentUploadPieceCount }))).toBeCloseTo(want, 12);
  });
});

describe('idcAffinityScore', () => {
  it.each([
    { parent: '', child: '', want: 0 },
    { parent: 'idc-a', child: '', want: 0 },
    { parent: '', child: 'idc-a', want: 0 },
    { parent: 'idc-a', child: 'idc-a', want: 1 },
    { parent: 'IDC-A', child: 'idc-a', want: 1 },
    { parent: 'idc-a', child: 'idc-b', want: 0 },
  ])('"$parent" vs "$child" → $want', ({ parent, child, want }) => {
    expect(idcAffinityScore(parent, child)).toBe(want);
  });
});

describe('locationAffinityScore (leading equal elements / 5)', () => {
  it.each([
    { parent: '', child: 'cn|bj', want: 0 },
    { parent: 'cn|bj', child: '', want: 0 },
    { parent: 'cn|bj', child: 'cn|bj', want: 1 },
    { parent: 'CN|BJ', child: 'cn|bj', want: 1 },
    { parent: 'cn|bj|haidian', child: 'CN|bj|chaoyang', want: 0.4 },
    { parent: 'cn|bj', child: 'cn|bj|haidian', want: 0.4 },
    { parent: 'cn|sh|haidian', child: 'cn|bj|haidian', want: 0.2 },
    { parent: 'us|ca', child: 'cn|ca', want: 0 },
    { parent: 'a|b|c|d|x', child: 'a|b|c|d|y', want: 0.8 },
    { parent: 'a|b|c|d|e|f', child: 'a|b|c|d|e|g', want: 1 },
  ])('"$parent" vs "$child" → $want', ({ parent, child, want }) => {
    expect(locationAffinityScore(parent, child)).toBeCloseTo(want, 12);
  });
});

describe('hostTypeScore', () => {
  const states: PeerState[] = ['Pending', 'ReceivedEmpty', 'ReceivedTiny', 'ReceivedSmall', 'ReceivedNormal', 'Running', 'BackToSource', 'Succeeded', 'Failed', 'Leave'];
  const cases: { type: HostType; state: PeerState; want: number }[] = [
    ...states.map((state) => ({ type: 'super' as const, state, want: state === 'ReceivedNormal' || state === 'Running' ? 1 : 0 })),
    ...states.map((state) => ({ type: 'normal' as const, state, want: 0.5 })),
  ];
  it.each(cases)('$type in $state → $want', ({ type, state, want }) => {
    expect(hostTypeScore(type, state)).toBe(want);
  });
});

describe('finishedPieceScore', () => {
  it.each([
    { name: 'known total: half', parent: 5, child: 0, total: 10, best: 10, want: 0.5 },
    { name: 'known total: complete', parent: 10, child: 3, total: 10, best: 10, want: 1 },
    { name: 'known total: inconsistent count is clamped', parent: 12, child: 0, total: 10, best: 12, want: 1 },
    { name: 'known total: nothing yet', parent: 0, child: 0, total: 10, best: 4, want: 0 },
    { name: 'unknown total: lead over the best lead', parent: 8, child: 2, total: 0, best: 10, want: 0.75 },
    { name: 'unknown total: the best candidate', parent: 10, child: 2, total: 0, best: 10, want: 1 },
    { name: 'unknown total: level with the child', parent: 2, child: 2, total: 0, best: 10, want: 0 },
    { name: 'unknown total: behind the child', parent: 1, child: 2, total: 0, best: 10, want: 0 },
    { name: 'unknown total: nobody ahead of the child', parent: 2, child: 5, total: 0, best: 3, want: 0 },
  ])('$name → $want', ({ parent, child, total, best, want }) => {
    expect(finishedPieceScore(parent, child, total, best)).toBeCloseTo(want, 12);
  });
});

describe('uploadSuccessScore = (upload - failed) / upload', () => {
  it.each([
    { name: 'never uploaded', uploadCount: 0, uploadFailedCount: 0, want: 1 },
    { name: 'all succeeded', uploadCount: 10, uploadFailedCount: 0, want: 1 },
    { name: 'some failed', uploadCount: 10, uploadFailedCount: 2, want: 0.8 },
    { name: 'all failed', uploadCount: 10, uploadFailedCount: 10, want: 0 },
    { name: 'more failures than uploads', uploadCount: 2, uploadFailedCount: 5, want: 0 },
    { name: 'failures without uploads', uploadCount: 0, uploadFailedCount: 1, want: 0 },
  ])('$name → $want', ({ uploadCount, uploadFailedCount, want }) => {
    expect(uploadSuccessScore(host({ uploadCount, uploadFailedCount }))).toBeCloseTo(want, 12);
  });
});

describe('freeUploadScore = (limit - concurrent) / limit', () => {
  it.each([
    { name: 'idle', concurrentUploadLimit: 200, concurrentUploadCount: 0, want: 1 },
    { name: 'quarter used', concurrentUploadLimit: 200, concurrentUploadCount: 50, want: 0.75 },
    { name: 'full', concurrentUploadLimit: 200, concurrentUploadCount: 200, want: 0 },
    { name: 'overloaded', concurrentUploadLimit: 200, concurrentUploadCount: 250, want: 0 },
    { name: 'no limit known', concurrentUploadLimit: 0, concurrentUploadCount: 0, want: 0 },
  ])('$name → $want', ({ concurrentUploadLimit, concurrentUploadCount, want }) => {
    expect(freeUploadScore(host({ concurrentUploadLimit, concurrentUploadCount }))).toBeCloseTo(want, 12);
  });
});

describe('clamp01', () => {
  it.each([
    { value: -0.5, want: 0 },
    { value: 0.3, want: 0.3 },
    { value: 1.7, want: 1 },
    { value: Number.NaN, want: 0 },
    { value: Number.POSITIVE_INFINITY, want: 1 },
  ])('$value → $want', ({ value, want }) => {
    expect(clamp01(value)).toBe(want);
  });
});

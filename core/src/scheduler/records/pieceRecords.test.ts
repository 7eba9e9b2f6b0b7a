/** Piece reports through the real handlers: the host's observed upload rate and the download records. */
import { describe, expect, it } from 'vitest';

import { World } from '../../../../test/helpers/schedulerKit.js';
import { silentLogger } from '../../common/logging.js';
import { parentFeatures } from '../../plugin-api/scheduling/features.js';
import { SchedulerMetrics } from '../metrics/SchedulerMetrics.js';
import { UPLOAD_RATE_WEIGHT } from '../resource/Host.js';
import { peerView } from '../resource/views.js';
import { handleDownloadPieceFailed, handleDownloadPieceFinished } from '../service/pieceEvents.js';
import type { ServiceContext } from '../service/ServiceContext.js';
import { DownloadRecorder } from './DownloadRecorder.js';

const MiB = 1024 * 1024;
const DIGEST = `crc32:${'0'.repeat(8)}`;

function setup() {
  const w = new World();
  const task = w.task('https://example.com/rates', { contentLength: 8 * MiB, pieceLength: 4 * MiB });
  const child = w.peer(task, w.host('child'), 'Running');
  const parent = w.peer(task, w.host('parent'), 'Succeeded');
  const stranger = w.peer(task, w.host('stranger'), 'Succeeded');
  const records = new DownloadRecorder({ decisionCapacity: 10, pieceCapacity: 10 });
  const ctx = { resource: w.resource, metrics: new SchedulerMetrics('test', { defaultMetrics: false }), logger: silentLogger(), records } as unknown as ServiceContext;
  const piece = (number: number, parentId: string, costMs: number) => ({
    piece: { number, offset: number * 4 * MiB, length: 4 * MiB, digest: DIGEST, parentId, cost: { seconds: Math.floor(costMs / 1000), nanos: (costMs % 1000) * 1e6 } },
  });
  return { task, child, parent, stranger, records, ctx, piece };
}

describe('piece reports feed the observed upload rate and the records', () => {
  it('a piece from an assigned parent updates its host rate (moving average) and is recorded with the features at choice time', () => {
    const { task, child, parent, records, ctx, piece } = setup();
    child.assignedParents.add(parent.id);
    const childView = peerView(child);
    const parentView = peerView(parent);
    records.decided(child, task.id, childView, [parentView], [parent.id], task.pieceCount);
    handleDownloadPieceFinished(ctx, child, piece(0, parent.id, 1000) as never);
    expect(parent.host.uploadPieceRate).toBe(4 * MiB);
    handleDownloadPieceFinished(ctx, child, piece(1, parent.id, 500) as never);
    expect(parent.host.uploadPieceRate).toBeCloseTo(4 * MiB + UPLOAD_RATE_WEIGHT * (8 * MiB - 4 * MiB));
    expect(peerView(parent).host.uploadPieceRate).toBe(parent.host.uploadPieceRate);
    const pieces = [...records.pieces];
    expect(pieces.map((p) => [p.parentId, p.bytes, p.costMs, p.success])).toEqual([
      [parent.id, 4 * MiB, 1000, true],
      [parent.id, 4 * MiB, 500, true],
    ]);
    expect(pieces[0].features).toEqual(parentFeatures(parentView, childView, task.pieceCount));
  });

  it('a failed piece from an assigned parent is recorded as a failure', () => {
    const { task, child, parent, records, ctx } = setup();
    child.assignedParents.add(parent.id);
    records.decided(child, task.id, peerView(child), [peerView(parent)], [parent.id], task.pieceCount);
    handleDownloadPieceFailed(ctx, child, { parentId: parent.id, pieceNumber: 0, temporary: true } as never);
    expect([...records.pieces].map((p) => [p.parentId, p.success])).toEqual([[parent.id, false]]);
  });

  it('a parent the scheduler did not assign moves neither the rate nor the records', () => {
    const { child, stranger, records, ctx, piece } = setup();
    handleDownloadPieceFinished(ctx, child, piece(0, stranger.id, 1) as never);
    expect(stranger.host.uploadPieceRate).toBe(0);
    expect(records.pieces.size).toBe(0);
  });
});

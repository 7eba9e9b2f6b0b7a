import type { commonV2 } from '@d7y/proto';

import type { PieceRecord } from '../../plugin-api/index.js';
import { toDuration, toTimestamp } from '../rpc/convert.js';
import type { DownloadRequest, TrafficType } from '../task/types.js';

/** The `Download` a peer registers with (never an output path: the scheduler may forward it to a seed). */
export function registerDownload(
  request: DownloadRequest,
  sizes: { contentLength: number; pieceLength: number; pieceCount: number },
  concurrentPieceCount: number,
  range?: { start: number; length: number },
): commonV2.Download {
  const os = request.objectStorage;
  return {
    url: request.url,
    digest: request.digest,
    type: 'STANDARD',
    tag: request.tag,
    application: request.application,
    priority: `LEVEL${request.priority ?? 6}` as commonV2.Priority,
    filteredQueryParams: [...(request.filteredQueryParams ?? [])],
    requestHeader: request.requestHeader ?? {},
    pieceLength: request.pieceLength,
    disableBackToSource: request.disableBackToSource ?? false,
    needBackToSource: request.needBackToSource ?? false,
    contentForCalculatingTaskId: request.contentForCalculatingTaskId,
    enableTaskIdBasedBlobDigest: request.enableTaskIdBasedBlobDigest ?? false,
    concurrentPieceCount,
    range,
    actualContentLength: sizes.contentLength >= 0 ? sizes.contentLength : undefined,
    actualPieceLength: sizes.pieceLength,
    actualPieceCount: sizes.contentLength >= 0 ? sizes.pieceCount : undefined,
    objectStorage: os
      ? {
          region: os.region,
          endpoint: os.endpoint,
          accessKeyId: os.accessKeyId,
          accessKeySecret: os.accessKeySecret,
          sessionToken: os.sessionToken,
          securityToken: os.securityToken,
          insecureSkipVerify: os.insecureSkipVerify,
        }
      : undefined,
    hdfs: request.hdfs,
  };
}

/** A stored piece as reported to the scheduler. */
export function reportedPiece(record: PieceRecord, trafficType: TrafficType): commonV2.Piece {
  return {
    number: record.number,
    parentId: record.parentId,
    offset: record.offset,
    length: record.length,
    digest: record.digest,
    trafficType,
    cost: toDuration(record.costMs),
    createdAt: toTimestamp(record.createdAt),
  };
}

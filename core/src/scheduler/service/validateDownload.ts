import type { commonV2 } from '@d7y/proto';

import { isTaskId, taskId as computeTaskId } from '../../common/ids.js';
import { pieceCount as countPieces } from '../../common/pieces.js';
import {
  MAX_FILTERED_QUERY_PARAMS,
  MAX_PIECE_LENGTH,
  MAX_REQUEST_HEADER_BYTES,
  MAX_REQUEST_HEADERS,
  MAX_TEXT_LENGTH,
  MAX_URL_LENGTH,
} from '../constants.js';
import type { PeerInit, Priority } from '../resource/Peer.js';
import type { TaskInit } from '../resource/Task.js';
import { boundedInt, boundedText, invalid } from './validateCommon.js';

const PRIORITIES: ReadonlySet<string> = new Set(['LEVEL0', 'LEVEL1', 'LEVEL2', 'LEVEL3', 'LEVEL4', 'LEVEL5', 'LEVEL6']);
const MAX_CONCURRENT_PIECE_COUNT = 1024;

/** Sizes a registering peer learned from the origin (`actual_*`). */
export interface TaskSizes {
  readonly contentLength: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
}

/** A validated `RegisterPeerRequest.download`. */
export interface ParsedDownload {
  readonly task: Omit<TaskInit, 'backToSourceLimit'>;
  readonly peer: Omit<PeerInit, 'id'>;
  readonly sizes: TaskSizes | undefined;
  readonly needBackToSource: boolean;
  readonly metadataOnly: boolean;
  /** The message as received (forwarded to a seed peer). */
  readonly raw: commonV2.Download__Output;
}

/**
 * Validates a Download and checks that `taskId` (64 lower-case hex) is the id its fields produce
 * (`core/src/common/ids.ts` `taskId`: url, tag, application, piece_length, filtered_query_params,
 * content_for_calculating_task_id, enable_task_id_based_blob_digest). Everything is bounded.
 */
export function parseDownload(download: commonV2.Download__Output | null | undefined, taskId: string): ParsedDownload {
  if (!download) invalid('register_peer_request.download is required', 'download');
  if (!isTaskId(taskId)) invalid('task_id must be 64 lower-case hex characters', 'task_id');
  const url = boundedText(download.url, 'download.url', MAX_URL_LENGTH);
  if (!url) invalid('download.url is required', 'download.url');
  if (download.type !== 'STANDARD') invalid(`download.type ${String(download.type)} is not supported; only STANDARD tasks are`, 'download.type');
  const priority = String(download.priority);
  if (!PRIORITIES.has(priority)) invalid(`download.priority ${priority} is not a known priority`, 'download.priority');
  const tag = boundedText(download.tag, 'download.tag') || undefined;
  const application = boundedText(download.application, 'download.application') || undefined;
  const digest = boundedText(download.digest, 'download.digest', MAX_TEXT_LENGTH) || undefined;
  const filtered = download.filteredQueryParams ?? [];
  if (filtered.length > MAX_FILTERED_QUERY_PARAMS) invalid(`download.filtered_query_params has more than ${MAX_FILTERED_QUERY_PARAMS} entries`);
  filtered.forEach((name, i) => boundedText(name, `download.filtered_query_params[${i}]`));
  const requestHeader = boundedHeaders(download.requestHeader ?? {});
  const fixedPieceLength = optionalInt(download.pieceLength, 'download.piece_length', 1, MAX_PIECE_LENGTH);
  const contentForId = download.contentForCalculatingTaskId ?? undefined;
  if (contentForId !== undefined) boundedText(contentForId, 'download.content_for_calculating_task_id', MAX_URL_LENGTH);

  const expected = computeTaskId({
    url,
    tag,
    application,
    pieceLength: fixedPieceLength,
    filteredQueryParams: filtered,
    contentForCalculatingTaskId: contentForId,
    enableTaskIdBasedBlobDigest: download.enableTaskIdBasedBlobDigest === true,
  });
  if (expected !== taskId) invalid('task_id does not match the task id computed from the download', 'task_id');

  const range = download.range
    ? {
        start: boundedInt(download.range.start, 'download.range.start', 0, Number.MAX_SAFE_INTEGER),
        length: boundedInt(download.range.length, 'download.range.length', 0, Number.MAX_SAFE_INTEGER),
      }
    : undefined;
  return {
    task: { id: taskId, url, digest, tag, application, filteredQueryParams: Object.freeze([...filtered]), requestHeader },
    peer: {
      priority: priority as Priority,
      range,
      concurrentPieceCount: optionalInt(download.concurrentPieceCount, 'download.concurrent_piece_count', 1, MAX_CONCURRENT_PIECE_COUNT),
    },
    sizes: parseSizes(download, fixedPieceLength),
    needBackToSource: download.needBackToSource === true,
    metadataOnly: download.metadataOnly === true,
    raw: download,
  };
}

function parseSizes(download: commonV2.Download__Output, fixedPieceLength: number | undefined): TaskSizes | undefined {
  const contentLength = optionalInt(download.actualContentLength, 'download.actual_content_length', 0, Number.MAX_SAFE_INTEGER);
  if (contentLength === undefined) return undefined;
  const pieceLength = optionalInt(download.actualPieceLength, 'download.actual_piece_length', 1, MAX_PIECE_LENGTH) ?? fixedPieceLength;
  if (pieceLength === undefined) invalid('download.actual_piece_length is required with actual_content_length', 'download.actual_piece_length');
  const pieceCount = countPieces(contentLength, pieceLength);
  const claimed = optionalInt(download.actualPieceCount, 'download.actual_piece_count', 0, Number.MAX_SAFE_INTEGER);
  if (claimed !== undefined && claimed !== pieceCount) {
    invalid(`download.actual_piece_count ${claimed} does not match content length ${contentLength} / piece length ${pieceLength}`);
  }
  return { contentLength, pieceLength, pieceCount };
}

function optionalInt(value: unknown, field: string, min: number, max: number): number | undefined {
  return value === undefined || value === null ? undefined : boundedInt(value, field, min, max);
}

function boundedHeaders(headers: Record<string, string>): Readonly<Record<string, string>> {
  const entries = Object.entries(headers);
  if (entries.length > MAX_REQUEST_HEADERS) invalid(`download.request_header has more than ${MAX_REQUEST_HEADERS} entries`);
  let bytes = 0;
  for (const [name, value] of entries) {
    bytes += name.length + value.length;
    if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value)) invalid('download.request_header contains a control character');
  }
  if (bytes > MAX_REQUEST_HEADER_BYTES) invalid(`download.request_header is larger than ${MAX_REQUEST_HEADER_BYTES} bytes`);
  return Object.freeze({ ...headers });
}

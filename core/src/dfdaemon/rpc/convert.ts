import type { commonV2, dfdaemonV2, googleProtobuf } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../../common/pieces.js';
import type { ObjectStorageOptions, TaskRecord } from '../../plugin-api/index.js';
import type { DownloadRequest, FinishedPiece } from '../task/types.js';

/** Limits on what one request may carry. */
const MAX_URL_LENGTH = 8 * 1024;
const MAX_HEADERS = 128;
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_FILTERED_PARAMS = 128;

/** Milliseconds of a proto Duration (0 when absent). */
export function durationMs(duration: googleProtobuf.Duration__Output | null | undefined): number {
  if (!duration) return 0;
  return Number(duration.seconds) * 1000 + Math.floor(duration.nanos / 1e6);
}

/** A proto Duration from milliseconds. */
export function toDuration(ms: number): googleProtobuf.Duration {
  return { seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) };
}

/** A proto Timestamp from epoch milliseconds. */
export function toTimestamp(ms: number): googleProtobuf.Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) };
}

function invalid(message: string): never {
  throw createError(ErrorCodes.INVALID_ARGUMENT, message);
}

/**
 * Validates a `Download` message and turns it into an engine request. `local` is true only on the Unix socket:
 * other callers may not name filesystem paths on this host.
 */
export function toDownloadRequest(download: commonV2.Download__Output | null | undefined, local: boolean): DownloadRequest {
  if (!download) invalid('download is required');
  if (!download.url) invalid('download.url is required');
  if (download.url.length > MAX_URL_LENGTH) invalid(`download.url is longer than ${MAX_URL_LENGTH} bytes`);
  try {
    new URL(download.url);
  } catch {
    invalid('download.url is not an absolute URL');
  }
  if (download.type !== 'STANDARD') invalid(`download.type ${download.type} is not supported; only STANDARD tasks are`);
  const headerEntries = Object.entries(download.requestHeader ?? {});
  if (headerEntries.length > MAX_HEADERS) invalid(`download.request_header has more than ${MAX_HEADERS} entries`);
  let headerBytes = 0;
  const requestHeader: Record<string, string> = {};
  for (const [name, value] of headerEntries) {
    headerBytes += name.length + value.length;
    if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value)) invalid(`download.request_header ${JSON.stringify(name)} contains a control character`);
    requestHeader[name.toLowerCase()] = value;
  }
  if (headerBytes > MAX_HEADER_BYTES) invalid(`download.request_header is larger than ${MAX_HEADER_BYTES} bytes`);
  if ((download.filteredQueryParams ?? []).length > MAX_FILTERED_PARAMS) invalid(`download.filtered_query_params has more than ${MAX_FILTERED_PARAMS} entries`);
  const pieceLength = download.pieceLength;
  if (pieceLength !== undefined && (pieceLength < MIN_PIECE_LENGTH || pieceLength > MAX_PIECE_LENGTH)) {
    invalid(`download.piece_length must be between ${MIN_PIECE_LENGTH} and ${MAX_PIECE_LENGTH}, got ${pieceLength}`);
  }
  if (!local && (download.outputPath || download.forceHardLink)) {
    throw createError(ErrorCodes.PERMISSION_DENIED, 'download.output_path may only be given over the local socket');
  }
  if (download.outputPath !== undefined && !download.outputPath.startsWith('/')) invalid('download.output_path must be absolute');
  const priority = Number(String(download.priority).replace('LEVEL', ''));
  const timeoutMs = durationMs(download.timeout);
  return {
    url: download.url,
    tag: download.tag || undefined,
    application: download.application || undefined,
    digest: download.digest || undefined,
    pieceLength,
    filteredQueryParams: download.filteredQueryParams ?? [],
    requestHeader,
    timeoutMs: timeoutMs > 0 ? timeoutMs : undefined,
    priority: Number.isInteger(priority) ? priority : 6,
    disableBackToSource: download.disableBackToSource,
    needBackToSource: download.needBackToSource,
    outputPath: download.outputPath || undefined,
    overwrite: download.overwrite,
    forceHardLink: download.forceHardLink,
    contentForCalculatingTaskId: download.contentForCalculatingTaskId,
    enableTaskIdBasedBlobDigest: download.enableTaskIdBasedBlobDigest,
    objectStorage: toObjectStorage(download.objectStorage),
    hdfs: download.hdfs ? { delegationToken: download.hdfs.delegationToken } : undefined,
    remoteIp: download.remoteIp,
  };
}

/** A proto `ObjectStorage` as source request options (undefined when absent). */
export function toObjectStorage(os: commonV2.ObjectStorage__Output | null | undefined): ObjectStorageOptions | undefined {
  if (!os) return undefined;
  return {
    region: os.region,
    endpoint: os.endpoint,
    accessKeyId: os.accessKeyId,
    accessKeySecret: os.accessKeySecret,
    sessionToken: os.sessionToken,
    securityToken: os.securityToken,
    insecureSkipVerify: os.insecureSkipVerify,
  };
}

/** A stored piece as a proto `Piece` (never with content). */
export function toPiece(piece: FinishedPiece): commonV2.Piece {
  return {
    number: piece.number,
    parentId: piece.parentId,
    offset: piece.offset,
    length: piece.length,
    digest: piece.digest,
    trafficType: piece.trafficType,
    cost: toDuration(piece.costMs),
    createdAt: toTimestamp(piece.createdAt),
  };
}

/** The local state of a task as a `StatLocalTaskResponse`. */
export function toStatLocalTask(task: TaskRecord, uploading = 0, uploaded = 0): dfdaemonV2.StatLocalTaskResponse {
  return {
    taskId: task.id,
    pieceLength: task.pieceLength,
    contentLength: task.contentLength >= 0 ? task.contentLength : undefined,
    responseHeader: { ...task.responseHeader },
    uploadingCount: uploading,
    uploadedCount: uploaded,
    createdAt: toTimestamp(task.createdAt),
    updatedAt: toTimestamp(task.updatedAt),
    finishedAt: task.finishedAt ? toTimestamp(task.finishedAt) : undefined,
    failedAt: task.failedAt ? toTimestamp(task.failedAt) : undefined,
  };
}

/** Task state names as the scheduler uses them. */
export function taskState(task: TaskRecord, active: boolean): string {
  if (active) return 'Running';
  if (task.finishedAt) return 'Succeeded';
  if (task.failedAt) return 'Failed';
  return 'Pending';
}

import { connect } from 'node:net';

import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { type commonV2, type dfdaemonV2, grpcChannelOptions, loadProtos, messageSizeOptions, GRPC_LOCAL_MAX_MESSAGE_BYTES } from '@d7y/proto';

import { createError, ErrorCodes, fromGrpcError } from '../common/errors.js';
import { redactUrl } from '../common/ids.js';
import type { SourceEntry } from '../plugin-api/index.js';
import type { DfgetOptions } from './options.js';
import type { Progress } from './progress.js';
import { PieceFile } from './pieceFile.js';

/**
 * Whether anything listens on the Unix socket: `absent` (no socket file), `refused` (a stale socket), `denied`
 * (the socket is there but this user may not connect: mode 0600 and another owner) or `open`. Decided by the
 * socket alone, so a busy daemon is never mistaken for a missing one.
 */
export function probeSocket(socketPath: string): Promise<'absent' | 'refused' | 'denied' | 'open'> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ENOENT' ? 'absent' : error.code === 'EACCES' || error.code === 'EPERM' ? 'denied' : 'refused'),
    );
  });
}

/**
 * A connected DfdaemonDownload client, or undefined when no daemon listens on the socket. A daemon whose socket
 * this user may not open is an error (downloading around it would hide a deployment mistake); so is a daemon
 * that listens but whose gRPC service does not become ready within `waitMs`.
 */
export async function connectDaemon(socketPath: string, waitMs = 30_000): Promise<dfdaemonV2.DfdaemonDownloadClient | undefined> {
  const probe = await probeSocket(socketPath);
  if (probe === 'denied') {
    throw createError(
      ErrorCodes.PERMISSION_DENIED,
      `dfdaemon's socket ${socketPath} exists but this user (uid ${process.getuid?.() ?? '?'}) may not connect to it; ` +
        'it is mode 0600 for the user running dfdaemon: run dfget as that user (or with sudo)',
    );
  }
  if (probe !== 'open') return undefined;
  const { dfdaemon } = loadProtos();
  const client = new dfdaemon.v2.DfdaemonDownload(
    `unix://${socketPath}`,
    credentials.createInsecure(),
    grpcChannelOptions(messageSizeOptions(GRPC_LOCAL_MAX_MESSAGE_BYTES)),
  );
  const ready = await new Promise<boolean>((resolve) => client.waitForReady(Date.now() + waitMs, (error) => resolve(!error)));
  if (ready) return client;
  client.close();
  throw createError(ErrorCodes.UNAVAILABLE, `dfdaemon on ${socketPath} accepts connections but did not answer within ${waitMs / 1000} s`);
}

/** What a finished download through the daemon reports. */
export interface DaemonDownloadResult {
  taskId: string;
  contentLength: number;
  /** Bytes per traffic type. */
  traffic: Record<string, number>;
}

/**
 * Downloads through the daemon, which verifies the content and places it at the output path; with
 * `--transfer-from-dfdaemon` the daemon streams the pieces instead and dfget writes the file (`PieceFile`).
 */
export async function downloadViaDaemon(
  client: dfdaemonV2.DfdaemonDownloadClient,
  options: DfgetOptions,
  progress: Progress,
  traceparent?: string,
): Promise<DaemonDownloadResult> {
  if (!options.transferFromDfdaemon) return runDownload(client, options, progress, traceparent, undefined);
  const file = await PieceFile.create(options.output);
  try {
    const result = await runDownload(client, options, progress, traceparent, file);
    await file.commit(result.contentLength);
    return result;
  } catch (error) {
    await file.discard();
    throw error;
  }
}

function runDownload(
  client: dfdaemonV2.DfdaemonDownloadClient,
  options: DfgetOptions,
  progress: Progress,
  traceparent: string | undefined,
  file: PieceFile | undefined,
): Promise<DaemonDownloadResult> {
  const download: commonV2.Download = {
    url: options.url,
    digest: options.digest,
    type: 'STANDARD',
    tag: options.tag || undefined,
    application: options.application || undefined,
    priority: `LEVEL${options.priority}` as commonV2.Priority,
    filteredQueryParams: options.filteredQueryParams,
    requestHeader: options.headers,
    pieceLength: options.pieceLength,
    outputPath: file ? undefined : options.output,
    needPieceContent: file !== undefined,
    timeout: { seconds: Math.floor(options.timeoutMs / 1000), nanos: (options.timeoutMs % 1000) * 1e6 },
    disableBackToSource: options.disableBackToSource,
    overwrite: file ? false : options.overwrite,
    forceHardLink: file ? false : options.forceHardLink,
    contentForCalculatingTaskId: options.contentForCalculatingTaskId,
    objectStorage: options.objectStorage,
    hdfs: options.hdfs,
  };
  return new Promise((resolve, reject) => {
    const metadata = new Metadata();
    if (traceparent) metadata.set('traceparent', traceparent);
    const call = client.DownloadTask({ download }, metadata, { deadline: Date.now() + options.timeoutMs + 5000 });
    const result: DaemonDownloadResult = { taskId: '', contentLength: 0, traffic: {} };
    // Piece writes run one at a time; the stream is paused while one is pending, so memory stays bounded.
    let writing: Promise<void> = Promise.resolve();
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      call.cancel();
      reject(error);
    };
    call.on('data', (response: dfdaemonV2.DownloadTaskResponse__Output) => {
      result.taskId = response.taskId;
      if (response.response === 'downloadTaskStartedResponse' && response.downloadTaskStartedResponse) {
        result.contentLength = response.downloadTaskStartedResponse.contentLength;
        progress.start(result.contentLength);
      } else if (response.response === 'downloadPieceFinishedResponse' && response.downloadPieceFinishedResponse?.piece) {
        const piece = response.downloadPieceFinishedResponse.piece;
        const type = piece.trafficType ?? 'UNKNOWN';
        result.traffic[type] = (result.traffic[type] ?? 0) + piece.length;
        if (file) {
          call.pause();
          writing = writing
            .then(() => file.write(piece.offset, piece.length, piece.content ?? undefined))
            .then(() => {
              progress.advance(piece.length);
              call.resume();
            }, fail);
        } else {
          progress.advance(piece.length);
        }
      }
    });
    call.on('error', (error: ServiceError) => {
      const coded = fromGrpcError(error);
      fail(createError(coded.code, coded.message, { details: coded.details }));
    });
    call.on('end', () => {
      void writing.then(() => {
        if (failed) return;
        if (!result.taskId) reject(createError(ErrorCodes.INTERNAL, 'dfdaemon closed the download without a response'));
        else resolve(result);
      });
    });
  });
}

/**
 * Lists a directory URL through the daemon (`ListTaskEntries`), which asks the source plugin with the
 * request's object storage or HDFS options.
 */
export function listEntriesViaDaemon(client: dfdaemonV2.DfdaemonDownloadClient, options: DfgetOptions): Promise<SourceEntry[]> {
  const request: dfdaemonV2.ListTaskEntriesRequest = {
    taskId: '',
    url: options.url,
    requestHeader: options.headers,
    timeout: { seconds: Math.floor(options.timeoutMs / 1000), nanos: (options.timeoutMs % 1000) * 1e6 },
    objectStorage: options.objectStorage,
    hdfs: options.hdfs,
  };
  return new Promise((resolve, reject) => {
    client.ListTaskEntries(request, { deadline: Date.now() + options.timeoutMs + 5000 }, (error: ServiceError | null, response?: dfdaemonV2.ListTaskEntriesResponse__Output) => {
      if (error) {
        const coded = fromGrpcError(error);
        return reject(createError(coded.code, coded.message, { details: coded.details }));
      }
      const entries = response?.entries ?? [];
      if (entries.length === 0 && Number(response?.contentLength ?? 0) > 0) {
        return reject(createError(ErrorCodes.INVALID_ARGUMENT, `${redactUrl(options.url)} is a file, not a directory; drop -r to download it`));
      }
      resolve(entries.map((entry) => ({ url: entry.url, contentLength: Number(entry.contentLength), isDir: entry.isDir })));
    });
  });
}

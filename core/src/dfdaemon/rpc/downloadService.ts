import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { dfdaemonV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { type Tracing, traceparentOf } from '../../common/tracing/Tracing.js';
import { assertTaskId } from '../../common/ids.js';
import type { Logger, SourceClient, StorageEngine } from '../../plugin-api/index.js';
import type { DfdaemonMetrics } from '../metrics.js';
import type { TaskEngine } from '../task/TaskEngine.js';
import { durationMs, taskState, toDownloadRequest, toObjectStorage, toPiece, toStatLocalTask, toTimestamp } from './convert.js';
import { serverStream, unary } from './grpcCalls.js';
import { pieceTaskEvents } from './taskEvents.js';

/** What the local download service needs. */
export interface DownloadServiceDeps {
  engine: TaskEngine;
  tracing?: Tracing;
  storage: StorageEngine;
  logger: Logger;
  metrics: DfdaemonMetrics;
  hostId: string;
  sourceFor(url: string): SourceClient;
}

/**
 * `DfdaemonDownload` on the Unix socket: the API of dfget and other local tools. Only this service accepts
 * output paths, because only local users can reach it (socket mode 0600).
 */
export function downloadServiceHandlers(deps: DownloadServiceDeps): UntypedServiceImplementation {
  const { engine, storage, logger } = deps;
  /** Removes a task from local storage; refused while it downloads. */
  const deleteLocal = async (request: { taskId: string }) => {
    const taskId = assertTaskId(request.taskId);
    if (engine.isActive(taskId)) throw createError(ErrorCodes.FAILED_PRECONDITION, `task ${taskId} is downloading`);
    await storage.deleteTask(taskId);
    return {};
  };
  const handlers: Partial<dfdaemonV2.DfdaemonDownloadHandlers> = {
    DownloadTask: serverStream(logger, 'DownloadTask', async (request: dfdaemonV2.DownloadTaskRequest__Output, write, signal, metadata) => {
      const download = { ...toDownloadRequest(request.download, true), traceparent: traceparentOf(metadata) };
      const withContent = request.download?.needPieceContent === true;
      if (withContent && download.outputPath) throw createError(ErrorCodes.INVALID_ARGUMENT, 'need_piece_content and output_path exclude each other: the client writes the file');
      await pieceTaskEvents(deps, download, write, signal, withContent ? (taskId, number) => readPieceContent(storage, taskId, number) : undefined);
    }),

    StatTask: unary(logger, 'StatTask', async (request: dfdaemonV2.StatTaskRequest__Output) => {
      const taskId = assertTaskId(request.taskId);
      const task = await storage.getTask(taskId);
      if (!task) throw createError(ErrorCodes.NOT_FOUND, `task ${taskId} is not stored here`);
      const pieces = await storage.listPieces(taskId);
      return {
        id: task.id,
        type: 'STANDARD',
        url: task.url,
        digest: task.digest,
        contentLength: Math.max(0, task.contentLength),
        pieceCount: task.pieceCount,
        pieces: pieces.map((piece) => toPiece({ ...piece, trafficType: 'LOCAL_PEER' })),
        state: taskState(task, engine.isActive(taskId)),
        peerCount: 1,
        hasAvailablePeer: Boolean(task.finishedAt),
        createdAt: toTimestamp(task.createdAt),
        updatedAt: toTimestamp(task.updatedAt),
      };
    }),

    StatLocalTask: unary(logger, 'StatLocalTask', async (request: dfdaemonV2.StatLocalTaskRequest__Output) => {
      const taskId = assertTaskId(request.taskId);
      const task = await storage.getTask(taskId);
      if (!task) throw createError(ErrorCodes.NOT_FOUND, `task ${taskId} is not stored here`);
      return toStatLocalTask(task);
    }),

    ListLocalTasks: unary(logger, 'ListLocalTasks', async () => ({
      tasks: (await storage.listTasks()).map((task) => toStatLocalTask(task)),
    })),

    ListTaskEntries: unary(logger, 'ListTaskEntries', async (request: dfdaemonV2.ListTaskEntriesRequest__Output) => {
      const url = new URL(request.url);
      const timeoutMs = durationMs(request.timeout);
      const stat = await deps.sourceFor(request.url).stat({
        url,
        headers: request.requestHeader ?? {},
        objectStorage: toObjectStorage(request.objectStorage),
        hdfs: request.hdfs ? { delegationToken: request.hdfs.delegationToken } : undefined,
        ...(timeoutMs > 0 ? { timeoutMs } : {}),
      });
      return {
        contentLength: Math.max(0, stat.contentLength),
        responseHeader: stat.headers,
        statusCode: stat.statusCode,
        entries: (stat.entries ?? []).map((entry) => ({ url: entry.url, contentLength: entry.contentLength, isDir: entry.isDir })),
      };
    }),

    DeleteTask: unary(logger, 'DeleteTask', deleteLocal),
    DeleteLocalTask: unary(logger, 'DeleteLocalTask', deleteLocal),
  };
  return handlers as UntypedServiceImplementation;
}

/** The stored bytes of one piece. */
async function readPieceContent(storage: StorageEngine, taskId: string, pieceNumber: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.readPiece(taskId, pieceNumber)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

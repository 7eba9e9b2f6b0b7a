import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { dfdaemonV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { type Tracing, traceparentOf } from '../../common/tracing/Tracing.js';
import { assertTaskId } from '../../common/ids.js';
import type { Logger, StorageEngine } from '../../plugin-api/index.js';
import type { DfdaemonMetrics } from '../metrics.js';
import type { TaskEngine } from '../task/TaskEngine.js';
import { toDownloadRequest, toStatLocalTask } from './convert.js';
import { serverStream, unary } from './grpcCalls.js';
import { pieceTaskEvents } from './taskEvents.js';

/** Most piece numbers one SyncPieces call may ask for (Dragonfly's largest piece count is 500; leave room). */
export const MAX_INTERESTED_PIECES = 10_000;

/** What the upload service needs. */
export interface UploadServiceDeps {
  engine: TaskEngine;
  tracing?: Tracing;
  storage: StorageEngine;
  logger: Logger;
  metrics: DfdaemonMetrics;
  hostId: string;
  /** Address and port of this host's piece-data server, announced to children. */
  pieceServer: { ip: string; port: number };
  disableShared: boolean;
}

/**
 * `DfdaemonUpload` on TCP (`upload.server.port`): for schedulers (triggered downloads on seed peers) and other
 * peers (which pieces this host holds). Nothing here accepts a filesystem path.
 */
export function uploadServiceHandlers(deps: UploadServiceDeps): UntypedServiceImplementation {
  const { engine, storage, logger } = deps;
  const handlers: Partial<dfdaemonV2.DfdaemonUploadHandlers> = {
    DownloadTask: serverStream(logger, 'DownloadTask', async (request: dfdaemonV2.DownloadTaskRequest__Output, write, signal, metadata) => {
      // Triggered by a scheduler (seed peers) or a preheat: finish even if the caller goes away, and always go
      // through the scheduler, however small the task, so that the scheduler knows this host holds it and a
      // preheat of many peers takes the bytes from the peers that already have them, not from the origin.
      const download = { ...toDownloadRequest(request.download, false), detach: true, alwaysP2P: true, traceparent: traceparentOf(metadata) };
      await pieceTaskEvents(deps, download, write, signal);
    }),

    StatTask: unary(logger, 'StatTask', async (request: dfdaemonV2.StatTaskRequest__Output) => {
      const taskId = assertTaskId(request.taskId);
      const task = await storage.getTask(taskId);
      if (!task) throw createError(ErrorCodes.NOT_FOUND, `task ${taskId} is not stored here`);
      return {
        id: task.id,
        type: 'STANDARD',
        url: task.url,
        contentLength: Math.max(0, task.contentLength),
        pieceCount: task.pieceCount,
        state: engine.isActive(taskId) ? 'Running' : task.finishedAt ? 'Succeeded' : 'Pending',
        hasAvailablePeer: Boolean(task.finishedAt),
      };
    }),

    StatLocalTask: unary(logger, 'StatLocalTask', async (request: dfdaemonV2.StatLocalTaskRequest__Output) => {
      const taskId = assertTaskId(request.taskId);
      const task = await storage.getTask(taskId);
      if (!task) throw createError(ErrorCodes.NOT_FOUND, `task ${taskId} is not stored here`);
      return toStatLocalTask(task);
    }),

    // The scheduler's delete_task job (Dragonfly's DfdaemonUpload.DeleteTask): evicts a finished task here.
    DeleteTask: unary(logger, 'DeleteTask', async (request: dfdaemonV2.DeleteTaskRequest__Output) => {
      const taskId = assertTaskId(request.taskId);
      if (engine.isActive(taskId)) throw createError(ErrorCodes.FAILED_PRECONDITION, `task ${taskId} is downloading`);
      await storage.deleteTask(taskId);
      return {};
    }),

    SyncPieces: serverStream(logger, 'SyncPieces', async (request: dfdaemonV2.SyncPiecesRequest__Output, write, signal) => {
      const taskId = assertTaskId(request.taskId);
      if (deps.disableShared) throw createError(ErrorCodes.PERMISSION_DENIED, 'this peer does not share pieces');
      const numbers = request.interestedPieceNumbers ?? [];
      if (numbers.length > MAX_INTERESTED_PIECES) {
        throw createError(ErrorCodes.INVALID_ARGUMENT, `interested_piece_numbers has more than ${MAX_INTERESTED_PIECES} entries`);
      }
      const wanted = new Set(numbers);
      const everything = wanted.size === 0;
      for await (const piece of engine.watchPieces(taskId, signal)) {
        if (!everything && !wanted.delete(piece.number)) continue;
        await write({
          number: piece.number,
          offset: piece.offset,
          length: piece.length,
          digest: piece.digest,
          ip: deps.pieceServer.ip,
          downloadPort: deps.pieceServer.port,
        });
        if (!everything && wanted.size === 0) return;
      }
    }),
  };
  return handlers as UntypedServiceImplementation;
}

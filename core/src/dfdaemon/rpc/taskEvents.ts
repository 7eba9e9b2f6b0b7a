import type { dfdaemonV2 } from '@d7y/proto';

import { redactUrl } from '../../common/ids.js';
import { Tracing } from '../../common/tracing/Tracing.js';
import type { Logger } from '../../plugin-api/index.js';
import { type DfdaemonMetrics, taskSizeLevel } from '../metrics.js';
import type { TaskEngine } from '../task/TaskEngine.js';
import type { DownloadRequest } from '../task/types.js';
import { toPiece } from './convert.js';

/**
 * Runs one download and writes its events as `DownloadTaskResponse`s, counting metrics on the way. Shared by the
 * local (dfget) and the upload (scheduler-triggered) services.
 */
export async function pieceTaskEvents(
  deps: { engine: TaskEngine; logger: Logger; metrics: DfdaemonMetrics; hostId: string; tracing?: Tracing },
  download: DownloadRequest,
  write: (message: dfdaemonV2.DownloadTaskResponse) => Promise<void>,
  signal: AbortSignal,
  /** `need_piece_content` on the local socket (`dfget --transfer-from-dfdaemon`): each piece's bytes are sent too. */
  pieceContent?: (taskId: string, pieceNumber: number) => Promise<Buffer>,
): Promise<void> {
  const { engine, metrics, logger } = deps;
  const span = (deps.tracing ?? Tracing.off()).startSpan('dfdaemon.DownloadTask', download.traceparent, { 'url.full': redactUrl(download.url) }, 'server');
  let handle;
  try {
    handle = engine.download({ ...download, traceparent: span.traceparent }, signal);
  } catch (error) {
    // Refused before starting: a malformed digest, or the cluster's block list.
    span.end(error);
    logger.warn({ err: error, url: redactUrl(download.url) }, 'download refused');
    throw error;
  }
  span.set({ 'd7y.task_id': handle.taskId, 'd7y.peer_id': handle.peerId, 'd7y.host_id': deps.hostId });
  const labels = { type: 'standard', tag: download.tag ?? '', app: download.application ?? '', priority: String(download.priority ?? 6) };
  const started = performance.now();
  let contentLength = 0;
  metrics.downloadTaskTotal.inc(labels);
  metrics.concurrentDownloadTask.inc();
  try {
    for await (const event of handle.events) {
      const base = { hostId: deps.hostId, taskId: handle.taskId, peerId: handle.peerId };
      if (event.type === 'started') {
        contentLength = event.contentLength;
        await write({
          ...base,
          downloadTaskStartedResponse: {
            contentLength: Math.max(0, event.contentLength),
            responseHeader: event.responseHeader,
            pieces: [],
            isFinished: event.isFinished,
          },
        });
      } else {
        metrics.recordPiece(event.piece.trafficType, event.piece.length, event.piece.costMs);
        const piece = toPiece(event.piece);
        if (pieceContent) piece.content = await pieceContent(handle.taskId, event.piece.number);
        await write({ ...base, downloadPieceFinishedResponse: { piece } });
      }
    }
    metrics.downloadTaskDuration.labels(taskSizeLevel(contentLength)).observe(performance.now() - started);
    span.end();
  } catch (error) {
    span.end(error);
    metrics.downloadTaskFailureTotal.inc(labels);
    logger.warn({ err: error, taskId: handle.taskId, url: redactUrl(download.url) }, 'download failed');
    throw error;
  } finally {
    metrics.concurrentDownloadTask.dec();
  }
}

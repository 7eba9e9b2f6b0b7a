import { Metadata, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';

import { toServiceError } from '../../common/errors.js';
import type { Logger } from '../../plugin-api/index.js';

/** Wraps an async unary handler: resolves into the callback, coded errors into gRPC statuses. */
export function unary<Req, Res>(logger: Logger, name: string, handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    handler(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => {
        logger.debug({ err: error, rpc: name }, 'rpc failed');
        callback(toServiceError(error, () => new Metadata()) as Parameters<sendUnaryData<Res>>[0]);
      },
    );
  };
}

/**
 * Wraps an async server-streaming handler. The handler gets an AbortSignal that fires when the client goes
 * away; errors end the stream with the mapped gRPC status.
 */
export function serverStream<Req, Res>(
  logger: Logger,
  name: string,
  handler: (request: Req, write: (message: Res) => Promise<void>, signal: AbortSignal, metadata: Metadata) => Promise<void>,
) {
  return (call: ServerWritableStream<Req, Res>) => {
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort(new Error('client cancelled')));
    const write = (message: Res) =>
      new Promise<void>((resolve) => {
        if (call.write(message)) resolve();
        else call.once('drain', () => resolve());
      });
    handler(call.request, write, controller.signal, call.metadata).then(
      () => call.end(),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        logger.debug({ err: error, rpc: name }, 'stream rpc failed');
        call.emit('error', toServiceError(error, () => new Metadata()));
      },
    );
  };
}

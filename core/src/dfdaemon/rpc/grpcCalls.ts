import { Metadata, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';

import { createError, ErrorCodes, toServiceError } from '../../common/errors.js';
import type { RequestGate } from '../../common/RequestGate.js';
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

/**
 * Puts every method of a service implementation behind `gate` (`*.server.requestRateLimit` and
 * `requestBufferSize`): a request over the rate waits its turn in the buffer; one that finds the buffer full
 * ends at once with RESOURCE_EXHAUSTED, before its handler runs.
 */
export function gateService(service: string, handlers: UntypedServiceImplementation, gate: RequestGate, logger: Logger): UntypedServiceImplementation {
  const gated: UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(handlers)) {
    const original = handler as (call: { emit(event: 'error', error: unknown): boolean }, callback?: (error: unknown) => void) => void;
    gated[method] = ((call: { emit(event: 'error', error: unknown): boolean }, callback?: (error: unknown) => void) => {
      void gate.admit().then((admitted) => {
        if (admitted) return original(call, callback);
        logger.debug({ rpc: `${service}.${method}` }, 'request refused: request rate limit and buffer are full');
        const refused = toServiceError(createError(ErrorCodes.RESOURCE_EXHAUSTED, `${service} request rate limit exceeded (${gate.rate}/s, ${gate.bufferSize} waiting)`), () => new Metadata());
        if (callback) callback(refused);
        else call.emit('error', refused);
      });
    }) as UntypedServiceImplementation[string];
  }
  return gated;
}

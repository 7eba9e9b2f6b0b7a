/**
 * The `d7y.manager.v2.Jobs` gRPC service definition (JSON-encoded messages, served next to
 * `manager.v2.Manager` on the manager's gRPC port). A d7y addition: Dragonfly's schedulers read machinery queues
 * in Redis directly; here they go through the manager, so the in-process queue works across processes too.
 */
import { makeGenericClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';

import { createError, ErrorCodes } from '../errors.js';
import type { ReportJobTaskRequest, TakeJobTaskRequest, TakeJobTaskResponse } from './protocol.js';

/** Largest JSON message accepted either way. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

function serialize(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value ?? {}));
}

function deserialize(buffer: Buffer): never {
  if (buffer.length > MAX_MESSAGE_BYTES) throw createError(ErrorCodes.INVALID_ARGUMENT, `jobs message larger than ${MAX_MESSAGE_BYTES} bytes`);
  return (buffer.length === 0 ? {} : JSON.parse(buffer.toString('utf8'))) as never;
}

function unary(name: string) {
  return {
    path: `/d7y.manager.v2.Jobs/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  } as const;
}

/** The service definition. */
export const JOBS_SERVICE = {
  TakeJobTask: unary('TakeJobTask'),
  ReportJobTask: unary('ReportJobTask'),
} satisfies ServiceDefinition;

/** Handler signatures of the service. */
export type JobsHandlers = {
  TakeJobTask(request: TakeJobTaskRequest): Promise<TakeJobTaskResponse>;
  ReportJobTask(request: ReportJobTaskRequest): Promise<Record<string, never>>;
};

/** A client constructor for the service. */
export const JobsClient = makeGenericClientConstructor(JOBS_SERVICE as unknown as ServiceDefinition, 'Jobs');

/** The `manager.v2.Manager` service: rate limit, validation and coded errors around the RPC functions. */
import { Metadata, status, type sendUnaryData, type ServerReadableStream, type ServerUnaryCall } from '@grpc/grpc-js';
import type { googleProtobuf, managerV2 } from '@d7y/proto';

import { createError, ErrorCodes, toServiceError } from '../../common/errors.js';
import { TokenBucket } from '../../common/TokenBucket.js';
import { listApplications } from './applicationsRpc.js';
import { KeepAliveSession, KeepAliveStreams } from './KeepAliveSession.js';
import type { RpcContext } from './RpcContext.js';
import { getScheduler, listSchedulers, updateScheduler } from './schedulerRpc.js';
import { deleteSeedPeer, getSeedPeer, listSeedPeers, updateSeedPeer } from './seedPeerRpc.js';

/** Most KeepAlive streams open at once. */
export const MAX_KEEPALIVE_STREAMS = 10_000;

/** Limits of the service. */
export interface ManagerHandlerOptions {
  /** Requests (and new streams) per second (`server.grpc.requestRateLimit`). */
  readonly requestRateLimit: number;
  /** A KeepAlive stream silent this long is ended and its sender marked inactive. */
  readonly keepAliveIdleTimeoutMs: number;
}

function unary<Req, Res>(ctx: RpcContext, limiter: TokenBucket, name: string, handler: (request: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    ctx.metrics.grpcRequestTotal.labels(name).inc();
    if (!limiter.take()) {
      ctx.metrics.grpcRequestFailureTotal.labels(name).inc();
      callback(toServiceError(createError(ErrorCodes.RESOURCE_EXHAUSTED, 'request rate limit exceeded'), () => new Metadata()) as Parameters<sendUnaryData<Res>>[0]);
      return;
    }
    handler(call.request).then(
      (response) => callback(null, response),
      (error: unknown) => {
        ctx.metrics.grpcRequestFailureTotal.labels(name).inc();
        ctx.logger.debug({ err: error, rpc: name }, 'rpc failed');
        callback(toServiceError(error, () => new Metadata()) as Parameters<sendUnaryData<Res>>[0]);
      },
    );
  };
}

/** Builds the handlers of the manager service. */
export function managerHandlers(ctx: RpcContext, options: ManagerHandlerOptions): managerV2.ManagerHandlers {
  const limiter = new TokenBucket(options.requestRateLimit);
  const streams = new KeepAliveStreams();
  return {
    UpdateScheduler: unary(ctx, limiter, 'UpdateScheduler', (req: managerV2.UpdateSchedulerRequest__Output) => updateScheduler(ctx, req)),
    GetScheduler: unary(ctx, limiter, 'GetScheduler', (req: managerV2.GetSchedulerRequest__Output) => getScheduler(ctx, req)),
    ListSchedulers: unary(ctx, limiter, 'ListSchedulers', (req: managerV2.ListSchedulersRequest__Output) => listSchedulers(ctx, req)),
    ListApplications: unary(ctx, limiter, 'ListApplications', (req: managerV2.ListApplicationsRequest__Output) => listApplications(ctx, req)),
    UpdateSeedPeer: unary(ctx, limiter, 'UpdateSeedPeer', (req: managerV2.UpdateSeedPeerRequest__Output) => updateSeedPeer(ctx, req)),
    GetSeedPeer: unary(ctx, limiter, 'GetSeedPeer', (req: managerV2.GetSeedPeerRequest__Output) => getSeedPeer(ctx, req)),
    ListSeedPeers: unary(ctx, limiter, 'ListSeedPeers', (req: managerV2.ListSeedPeersRequest__Output) => listSeedPeers(ctx, req)),
    DeleteSeedPeer: unary(ctx, limiter, 'DeleteSeedPeer', async (req: managerV2.DeleteSeedPeerRequest__Output) => {
      await deleteSeedPeer(ctx, req);
      return {};
    }),
    KeepAlive: (call: ServerReadableStream<managerV2.KeepAliveRequest__Output, googleProtobuf.Empty>, callback: sendUnaryData<googleProtobuf.Empty>) => {
      ctx.metrics.grpcRequestTotal.labels('KeepAlive').inc();
      if (!limiter.take() || streams.total >= MAX_KEEPALIVE_STREAMS) {
        ctx.metrics.grpcRequestFailureTotal.labels('KeepAlive').inc();
        callback({ code: status.RESOURCE_EXHAUSTED, details: 'too many keep-alive streams or requests' });
        return;
      }
      new KeepAliveSession(ctx, streams, call, callback, options.keepAliveIdleTimeoutMs).start();
    },
  };
}

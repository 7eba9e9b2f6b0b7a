import { Metadata, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall } from '@grpc/grpc-js';
import type { schedulerV2 } from '@d7y/proto';
import type { Counter } from 'prom-client';

import { createError, ErrorCodes, toServiceError } from '../../common/errors.js';
import { MAX_ANNOUNCE_STREAMS } from '../constants.js';
import { AnnouncePeerSession } from './AnnouncePeerSession.js';
import { announceHost, deleteHost, listHosts } from './hostService.js';
import type { ServiceContext } from './ServiceContext.js';
import { observedIp } from './sourceAddress.js';
import { deletePeer, deleteTask, statPeer, statTask } from './taskPeerService.js';
import type { TokenBucket } from '../../common/TokenBucket.js';

/** Open AnnouncePeer sessions, so that `stop()` can end them. */
export type SessionSet = Set<AnnouncePeerSession>;

function rateLimited(): Error {
  return createError(ErrorCodes.RESOURCE_EXHAUSTED, 'request rate limit exceeded');
}

/**
 * Wraps a synchronous unary handler: rate limit, metrics (`total` / `failure`), coded errors mapped to gRPC
 * statuses (anything uncoded becomes INTERNAL "internal error").
 */
function unary<Req, Res>(
  ctx: ServiceContext,
  limiter: TokenBucket,
  name: string,
  counters: { total: Counter; failure: Counter },
  handler: (request: Req, sourceIp: string) => Res,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    counters.total.inc();
    try {
      if (!limiter.take()) throw rateLimited();
      callback(null, handler(call.request, observedIp(call.getPeer())));
    } catch (error) {
      counters.failure.inc();
      ctx.logger.debug({ err: error, rpc: name }, 'rpc failed');
      callback(toServiceError(error, () => new Metadata()) as Parameters<sendUnaryData<Res>>[0]);
    }
  };
}

/** The `scheduler.v2.Scheduler` service implementation. */
export function schedulerHandlers(ctx: ServiceContext, limiter: TokenBucket, sessions: SessionSet): schedulerV2.SchedulerHandlers {
  const m = ctx.metrics;
  return {
    AnnouncePeer: (call: ServerDuplexStream<schedulerV2.AnnouncePeerRequest__Output, schedulerV2.AnnouncePeerResponse>) => {
      m.announcePeerTotal.inc();
      const refused = !limiter.take() ? rateLimited() : ctx.activeStreams >= MAX_ANNOUNCE_STREAMS ? tooManyStreams() : undefined;
      if (refused) {
        m.announcePeerFailureTotal.inc();
        call.emit('error', toServiceError(refused, () => new Metadata()));
        return;
      }
      ctx.activeStreams++;
      const session = new AnnouncePeerSession(call, ctx);
      sessions.add(session);
      session.signal.addEventListener('abort', () => sessions.delete(session), { once: true });
      session.start();
    },
    AnnounceHost: unary(ctx, limiter, 'AnnounceHost', { total: m.announceHostTotal, failure: m.announceHostFailureTotal }, (req: schedulerV2.AnnounceHostRequest__Output, ip) => {
      announceHost(ctx, req, ip);
      return {};
    }),
    ListHosts: unary(ctx, limiter, 'ListHosts', { total: m.listHostsTotal, failure: m.listHostsFailureTotal }, (req: schedulerV2.ListHostsRequest__Output) =>
      listHosts(ctx, req),
    ),
    DeleteHost: unary(ctx, limiter, 'DeleteHost', { total: m.deleteHostTotal, failure: m.deleteHostFailureTotal }, (req: schedulerV2.DeleteHostRequest__Output, ip) => {
      deleteHost(ctx, req, ip);
      return {};
    }),
    StatTask: unary(ctx, limiter, 'StatTask', { total: m.statTaskTotal, failure: m.statTaskFailureTotal }, (req: schedulerV2.StatTaskRequest__Output) =>
      statTask(ctx, req),
    ),
    DeleteTask: unary(ctx, limiter, 'DeleteTask', { total: m.deleteTaskTotal, failure: m.deleteTaskFailureTotal }, (req: schedulerV2.DeleteTaskRequest__Output, ip) => {
      deleteTask(ctx, req, ip);
      return {};
    }),
    StatPeer: unary(ctx, limiter, 'StatPeer', { total: m.statPeerTotal, failure: m.statPeerFailureTotal }, (req: schedulerV2.StatPeerRequest__Output) =>
      statPeer(ctx, req),
    ),
    DeletePeer: unary(ctx, limiter, 'DeletePeer', { total: m.deletePeerTotal, failure: m.deletePeerFailureTotal }, (req: schedulerV2.DeletePeerRequest__Output, ip) => {
      deletePeer(ctx, req, ip);
      return {};
    }),
  };
}

function tooManyStreams(): Error {
  return createError(ErrorCodes.RESOURCE_EXHAUSTED, `more than ${MAX_ANNOUNCE_STREAMS} AnnouncePeer streams are open`);
}

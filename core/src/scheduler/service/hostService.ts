import type { schedulerV2 } from '@d7y/proto';

import { createError, ErrorCodes } from '../../common/errors.js';
import { MAX_LIST_HOSTS } from '../constants.js';
import type { ServiceContext } from './ServiceContext.js';
import { assertSameSource } from './sourceAddress.js';
import { hostToProto } from './toProto.js';
import { assertId } from './validateCommon.js';
import { toHostInfo } from './validateHost.js';

/**
 * AnnounceHost: validates the host and creates or refreshes it (counters kept, TTL reset). `port` is the
 * host's DfdaemonUpload gRPC port, `downloadPort` its piece-data port; type 1 makes it a seed peer. A known
 * host may only be re-announced from the address it was first announced from.
 */
export function announceHost(ctx: ServiceContext, request: schedulerV2.AnnounceHostRequest__Output, sourceIp: string): void {
  const info = toHostInfo(request.host, request.interval);
  const known = ctx.resource.hosts.get(info.id);
  if (known) {
    assertSameSource(ctx, known, sourceIp);
    if (known.info.ip !== info.ip || known.info.port !== info.port) ctx.seedPeer?.forget(info.id);
  }
  ctx.resource.hosts.upsert(info, sourceIp);
  if (!known) ctx.logger.info({ hostId: info.id, type: info.type, ip: info.ip, port: info.port, downloadPort: info.downloadPort }, 'host announced');
}

/** ListHosts: announced hosts, optionally of one type (0 normal, 1 super), at most `MAX_LIST_HOSTS`. */
export function listHosts(ctx: ServiceContext, request: schedulerV2.ListHostsRequest__Output): schedulerV2.ListHostsResponse {
  const type = request.type ?? undefined;
  const hosts = ctx.resource.hosts
    .all()
    .filter((host) => type === undefined || (type === 1) === host.isSeed)
    .slice(0, MAX_LIST_HOSTS);
  return { hosts: hosts.map(hostToProto) };
}

/** DeleteHost: the host leaves; its peers leave and are removed. */
export function deleteHost(ctx: ServiceContext, request: schedulerV2.DeleteHostRequest__Output, sourceIp: string): void {
  const id = assertId(request.hostId, 'host_id');
  const host = ctx.resource.hosts.get(id);
  if (!host) throw createError(ErrorCodes.NOT_FOUND, `host ${id} not found`);
  assertSameSource(ctx, host, sourceIp);
  ctx.resource.removeHost(host);
  ctx.seedPeer?.forget(id);
  ctx.logger.info({ hostId: id }, 'host deleted');
}

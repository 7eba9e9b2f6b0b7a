import { isIP } from 'node:net';

import { createError, ErrorCodes } from '../../common/errors.js';
import type { Host } from '../resource/Host.js';
import type { ServiceContext } from './ServiceContext.js';

/**
 * The IP address a gRPC call came from (`call.getPeer()`: `1.2.3.4:5`, `[::1]:5`, `ipv4:…`), with IPv4-mapped
 * IPv6 unwrapped; '' when it is not an IP connection (Unix socket, unknown).
 */
export function observedIp(peer: string | undefined): string {
  if (!peer) return '';
  let text = peer.replace(/^(ipv4|ipv6):/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[^:]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) text = mapped[1]!;
  return isIP(text) === 0 ? '' : text;
}

/**
 * Throws `D7Y_ERR_PERMISSION_DENIED` when `host` was announced from another source address than `ip` (and
 * binding is on): a host's peers, deletions and re-announcements must come from the host itself.
 */
export function assertSameSource(ctx: ServiceContext, host: Host, ip: string): void {
  if (!ctx.settings.bindHostToSourceAddress || !host.observedIp || !ip || host.observedIp === ip) return;
  throw createError(ErrorCodes.PERMISSION_DENIED, `host ${host.id} was announced from another address`, {
    details: { hostId: host.id },
  });
}

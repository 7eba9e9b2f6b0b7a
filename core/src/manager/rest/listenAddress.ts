/** `server.rest.addr` (`:8080`, `127.0.0.1:8080`, `[::1]:8080`) as a host and port for `listen()`. */
import { createError, ErrorCodes } from '../../common/errors.js';

/** Host and port to bind; an empty host means every IPv4 interface. */
export function parseListenAddress(addr: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]*):(\d{1,5})$/.exec(addr);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw createError(ErrorCodes.INVALID_CONFIG, `server.rest.addr: expected an address like :8080 or 127.0.0.1:8080, got "${addr}"`);
  const host = match[1].replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

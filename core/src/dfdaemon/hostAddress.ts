import { networkInterfaces } from 'node:os';

/**
 * The IP this host announces when the config gives none: the first non-internal IPv4 address (IPv6 with
 * `enableIPv6`), else loopback.
 */
export function detectHostIp(enableIPv6 = false): string {
  const family = enableIPv6 ? 'IPv6' : 'IPv4';
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.family === family && !address.address.startsWith('fe80')) return address.address;
    }
  }
  return enableIPv6 ? '::1' : '127.0.0.1';
}

/** The address to dial for a server bound to `ip` (wildcards dial loopback). */
export function dialableIp(ip: string, hostIp: string): string {
  return ip === '0.0.0.0' || ip === '::' ? hostIp : ip;
}

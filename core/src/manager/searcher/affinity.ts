/**
 * The affinity scores of Dragonfly's searcher (`manager/searcher/searcher.go`), each in [0, 1].
 */
import { BlockList, isIP } from 'node:net';

/** Separator of multi-element IDC and location values (`types.AffinitySeparator`). */
export const AFFINITY_SEPARATOR = '|';
/** Location elements compared at most (`maxElementLen`). */
export const MAX_LOCATION_ELEMENTS = 5;

/** `::ffff:10.0.0.1` becomes `10.0.0.1`; other addresses are returned as they are. */
export function unmapIp(ip: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return match ? match[1] : ip;
}

/** 1 when `ip` lies in any of `cidrs` (bare addresses match themselves), else 0. Malformed entries never match. */
export function cidrAffinity(ip: string, cidrs: readonly string[] | undefined): number {
  const address = unmapIp(ip);
  const family = isIP(address);
  if (family === 0 || !cidrs || cidrs.length === 0) return 0;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/');
    const netFamily = isIP(net);
    if (netFamily !== family) continue;
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) continue;
    const list = new BlockList();
    list.addSubnet(net, prefix, type);
    if (list.check(address, type)) return 1;
  }
  return 0;
}

/** 1 when any regular expression of `patterns` matches `hostname`, else 0. Invalid patterns never match. */
export function hostnameAffinity(hostname: string, patterns: readonly string[] | undefined): number {
  if (!hostname || !patterns) return 0;
  for (const pattern of patterns) {
    try {
      if (new RegExp(pattern).test(hostname)) return 1;
    } catch {
      // Stored scopes are validated; an invalid one (written by an older version) simply does not match.
    }
  }
  return 0;
}

/** 1 when the client IDC equals the cluster IDC or one of its `|`-separated elements (case-insensitive), else 0. */
export function idcAffinity(clientIdc: string | undefined, clusterIdc: string | undefined): number {
  if (!clientIdc || !clusterIdc) return 0;
  const client = clientIdc.toLowerCase();
  if (client === clusterIdc.toLowerCase()) return 1;
  return clusterIdc.split(AFFINITY_SEPARATOR).some((part) => part.toLowerCase() === client) ? 1 : 0;
}

/**
 * Location affinity: 1 when equal (case-insensitive); otherwise the number of leading `|`-separated elements
 * that match, divided by `MAX_LOCATION_ELEMENTS` (at most 5 compared).
 */
export function locationAffinity(clientLocation: string | undefined, clusterLocation: string | undefined): number {
  if (!clientLocation || !clusterLocation) return 0;
  if (clientLocation.toLowerCase() === clusterLocation.toLowerCase()) return 1;
  const a = clientLocation.split(AFFINITY_SEPARATOR);
  const b = clusterLocation.split(AFFINITY_SEPARATOR);
  const n = Math.min(a.length, b.length, MAX_LOCATION_ELEMENTS);
  let score = 0;
  for (let i = 0; i < n && a[i].toLowerCase() === b[i].toLowerCase(); i++) score++;
  return score / MAX_LOCATION_ELEMENTS;
}

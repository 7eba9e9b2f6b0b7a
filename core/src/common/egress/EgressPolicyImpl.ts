import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import { createError, ErrorCodes } from '../../plugin-api/errors.js';

/** Egress settings as they appear in a role's config (`egress:` section). */
export interface EgressConfig {
  /** CIDRs that are always allowed, even inside a denied range. */
  allowCIDRs?: readonly string[];
  /** CIDRs that are refused in addition to the built-in denied ranges. */
  denyCIDRs?: readonly string[];
  /** Host names (exact, or `*.suffix`) always allowed. */
  allowHosts?: readonly string[];
  /** Host names (exact, or `*.suffix`) refused. */
  denyHosts?: readonly string[];
  /** Most redirects a fetch may follow. */
  maxRedirects?: number;
  /** Schemes allowed for URLs checked with `checkUrl`; default http and https. */
  schemes?: readonly string[];
}

/**
 * Ranges refused by default everywhere: cloud metadata services, link-local, "this network", multicast and
 * broadcast. Loopback and private ranges stay reachable: that is where real registries and object stores live.
 */
export const DEFAULT_DENIED_CIDRS: readonly string[] = Object.freeze([
  '0.0.0.0/8',
  '169.254.0.0/16', // link-local, incl. 169.254.169.254 metadata (AWS, GCP, Azure, OpenStack)
  '100.100.100.200/32', // Alibaba Cloud metadata
  '224.0.0.0/4',
  '240.0.0.0/4', // reserved + 255.255.255.255
  'fe80::/10',
  'fd00:ec2::254/128', // AWS metadata over IPv6
  'ff00::/8',
  '::/128',
]);

export const DEFAULT_MAX_REDIRECTS = 10;

function toBlockList(cidrs: readonly string[], field: string): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefixText] = cidr.split('/');
    const family = isIP(address ?? '');
    const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      throw createError(ErrorCodes.INVALID_CONFIG, `${field}: ${JSON.stringify(cidr)} is not a CIDR like 10.0.0.0/8 or fd00::/8`);
    }
    list.addSubnet(address!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

function hostMatches(patterns: readonly string[], host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith('*.') ? name.endsWith(p.slice(1)) : name === p;
  });
}

/** Unwraps IPv4-mapped IPv6 (`::ffff:1.2.3.4`) so IPv4 rules apply to it. */
function normaliseAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Builds the egress policy from config. Invalid CIDRs fail with `D7Y_ERR_INVALID_CONFIG`. */
export function createEgressPolicy(config: EgressConfig = {}): EgressPolicy {
  const allow = toBlockList(config.allowCIDRs ?? [], 'egress.allowCIDRs');
  const deny = toBlockList([...DEFAULT_DENIED_CIDRS, ...(config.denyCIDRs ?? [])], 'egress.denyCIDRs');
  const allowHosts = config.allowHosts ?? [];
  const denyHosts = config.denyHosts ?? [];
  const schemes = new Set((config.schemes ?? ['http', 'https']).map((s) => s.toLowerCase()));

  const isAddressAllowed = (raw: string): boolean => {
    const { address, family } = normaliseAddress(raw.replace(/^\[|\]$/g, ''));
    if (isIP(address) === 0) return false;
    if (allow.check(address, family)) return true;
    return !deny.check(address, family);
  };

  const denied = (what: string) =>
    createError(ErrorCodes.EGRESS_DENIED, `egress policy refuses ${what}`, { details: { target: what } });

  const checkHost = (host: string): void => {
    const bare = host.replace(/^\[|\]$/g, '');
    if (hostMatches(allowHosts, bare)) return;
    if (hostMatches(denyHosts, bare)) throw denied(`host ${bare}`);
    if (isIP(bare) !== 0 && !isAddressAllowed(bare)) throw denied(`address ${bare}`);
  };

  const lookup = ((hostname: string, options: LookupOneOptions | LookupAllOptions | number, callback: (...args: unknown[]) => void) => {
    const opts = typeof options === 'number' ? { family: options } : (options ?? {});
    try {
      checkHost(hostname);
    } catch (error) {
      callback(error);
      return;
    }
    const trusted = hostMatches(allowHosts, hostname);
    dnsLookup(hostname, { ...opts, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const refused = trusted ? undefined : addresses.find((entry) => !isAddressAllowed(entry.address));
      if (refused) return callback(denied(`address ${refused.address} (resolved from ${hostname})`));
      if ((opts as LookupAllOptions).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
      callback(null, first.address, first.family);
    });
  }) as unknown as LookupFunction;

  return Object.freeze({
    checkUrl(url: URL): void {
      const scheme = url.protocol.replace(/:$/, '').toLowerCase();
      if (!schemes.has(scheme)) throw denied(`scheme ${scheme}`);
      checkHost(url.hostname);
    },
    lookup,
    isAddressAllowed,
    maxRedirects: config.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
  });
}

import type { LookupFunction } from 'node:net';

/**
 * The host's outbound address policy. Every fetch a plugin makes on a user's behalf (back-to-source,
 * redirects, token realms) must go through it, so that a URL cannot make a node reach cloud metadata
 * endpoints or other denied networks.
 */
export interface EgressPolicy {
  /**
   * Throws a `D7Y_ERR_EGRESS_DENIED` error if the URL's scheme or host is refused before any DNS lookup
   * (literal denied addresses, denied host names, unsupported schemes).
   */
  checkUrl(url: URL): void;
  /**
   * A `dns.lookup`-compatible function that resolves a host name and fails with `D7Y_ERR_EGRESS_DENIED` when
   * any resolved address is denied. Pass it as `lookup` to sockets or HTTP agents so that the check happens
   * at connect time, after DNS, for every connection including redirects.
   */
  readonly lookup: LookupFunction;
  /** True if the literal IP address may be contacted. */
  isAddressAllowed(address: string): boolean;
  /** Most redirects one fetch may follow. */
  readonly maxRedirects: number;
}

/**
 * Safe stand-ins for host services when a caller has none: `inspectPlugins` uses them so that a report can
 * be produced without a configured logger or egress policy.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { EgressPolicy } from '../plugin-api/EgressPolicy.js';
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import type { Logger } from '../plugin-api/Logger.js';

/** A logger that drops every line. */
export const silentLogger: Logger = Object.freeze({
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
});

const denyLookup: LookupFunction = (hostname, _options, callback) => {
  callback(createError(ErrorCodes.EGRESS_DENIED, `egress to ${hostname} denied (no egress policy configured)`) as NodeJS.ErrnoException, '', 0);
};

/** An egress policy that refuses every outbound connection. */
export const denyAllEgress: EgressPolicy = Object.freeze({
  checkUrl(url: URL): void {
    throw createError(ErrorCodes.EGRESS_DENIED, `egress to ${url.host} denied (no egress policy configured)`);
  },
  lookup: denyLookup,
  isAddressAllowed: () => false,
  maxRedirects: 0,
});

/** An egress policy that allows everything; for tests only. */
export const permissiveEgress: EgressPolicy = Object.freeze({
  checkUrl(): void {},
  lookup: dnsLookup as LookupFunction,
  isAddressAllowed: () => true,
  maxRedirects: 5,
});

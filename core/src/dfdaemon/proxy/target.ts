/**
 * Where a proxied request goes: the upstream URL of a registry-mirror request (origin-form), a forward-proxy
 * request (absolute-form) or a request inside an intercepted CONNECT tunnel; and whether `proxy.rules` send
 * a GET through P2P.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import { DEFAULT_FILTERED_QUERY_PARAMS } from '../../common/ids.js';

/** A proxy rule as configured (`proxy.rules[]`). */
export interface ProxyRule {
  regex: string;
  useTLS: boolean;
  redirect?: string;
  filteredQueryParams: readonly string[];
  schedulingPolicy: 'auto' | 'always';
}

/** The rule used when `proxy.rules` is empty: OCI blobs by sha256 digest go through P2P. */
export const DEFAULT_RULES: readonly ProxyRule[] = Object.freeze([
  { regex: '/v2/.+/blobs/sha256:[0-9a-f]{64}$', useTLS: false, filteredQueryParams: DEFAULT_FILTERED_QUERY_PARAMS, schedulingPolicy: 'auto' as const },
]);

/** How the request reached the proxy. */
export type RequestMode = 'mirror' | 'forward' | 'tunnel';

/** Longest accepted request target. */
const MAX_TARGET_LENGTH = 8192;

/** Resolved upstream of one request. */
export interface Target {
  url: URL;
  mode: RequestMode;
}

function bad(message: string) {
  return createError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** Parses an upstream registry given as a URL or as a bare `host[:port]` (https then). */
export function parseRegistry(value: string, what: string): URL {
  const text = value.includes('://') ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad(`${what} is not a registry URL: ${JSON.stringify(value.slice(0, 100))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`${what} must be an http or https URL`);
  if (url.username || url.password) throw bad(`${what} must not carry credentials`);
  return url;
}

/**
 * The upstream URL of a request.
 * - In a tunnel (`tunnel` set): `https://<tunnel host:port><path>`.
 * - Origin-form (`/v2/...`): registry mirror; the upstream is `X-Dragonfly-Registry`, else containerd's `ns`
 *   query (`https://` added when it has no scheme), else `proxy.registryMirror.addr`. Path and query are kept.
 * - Absolute-form (`http://host/...`): forward proxy.
 */
export function resolveTarget(rawTarget: string, options: { registryHeader?: string; mirrorAddr: string; tunnel?: string }): Target {
  if (rawTarget.length > MAX_TARGET_LENGTH) throw bad(`request target is longer than ${MAX_TARGET_LENGTH} characters`);
  if (options.tunnel !== undefined) {
    if (!rawTarget.startsWith('/')) throw bad('requests inside a CONNECT tunnel must use origin-form targets');
    return { url: new URL(rawTarget, `https://${options.tunnel}`), mode: 'tunnel' };
  }
  if (rawTarget.startsWith('/')) {
    const query = new URL(rawTarget, 'http://placeholder').searchParams;
    const ns = query.get('ns');
    const upstream = options.registryHeader
      ? parseRegistry(options.registryHeader, 'X-Dragonfly-Registry')
      : ns
        ? parseRegistry(ns, 'the ns query parameter')
        : parseRegistry(options.mirrorAddr, 'proxy.registryMirror.addr');
    return { url: new URL(rawTarget, upstream.origin), mode: 'mirror' };
  }
  let url: URL;
  try {
    url = new URL(rawTarget);
  } catch {
    throw bad(`request target ${JSON.stringify(rawTarget.slice(0, 100))} is neither a path nor an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`the proxy only forwards http and https URLs, not ${url.protocol}`);
  if (url.username || url.password) throw bad('absolute request targets must not carry credentials');
  return { url, mode: 'forward' };
}

/** A compiled rule list. */
export class RuleSet {
  private readonly compiled: Array<{ rule: ProxyRule; pattern: RegExp }>;

  constructor(rules: readonly ProxyRule[]) {
    this.compiled = (rules.length > 0 ? rules : DEFAULT_RULES).map((rule) => ({ rule, pattern: new RegExp(rule.regex) }));
  }

  /** The first rule whose regex matches the URL without query and fragment. */
  match(url: URL): ProxyRule | undefined {
    const bare = `${url.origin}${url.pathname}`;
    return this.compiled.find(({ pattern }) => pattern.test(bare))?.rule;
  }
}

/** The URL a P2P download fetches: the rule's `useTLS` forces https and `redirect` replaces the authority. */
export function applyRule(url: URL, rule: ProxyRule | undefined): URL {
  const out = new URL(url);
  if (!rule) return out;
  if (rule.redirect) {
    const redirect = parseRegistry(rule.redirect, 'proxy rule redirect');
    out.host = redirect.host;
    if (redirect.protocol !== out.protocol) out.protocol = redirect.protocol;
  }
  if (rule.useTLS) out.protocol = 'https:';
  return out;
}

/** `sha256:<hex>` of an OCI blob URL (`/v2/<name>/blobs/sha256:<hex>`), or undefined. */
export function blobDigest(url: URL): string | undefined {
  const match = /\/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
  return match?.[1];
}

/**
 * Manual redirect following. undici never follows redirects here: every hop goes back through `send`, which
 * re-checks the egress policy, so a redirect cannot reach an address the first URL could not.
 */
import type { Logger } from '@d7y/core/plugin-api';

import { protocolError, redirectDenied, type Attempt } from './errors.js';
import { redactUrl } from './redact.js';
import type { OriginResponse } from './transport.js';

/** Statuses followed as redirects. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Request headers dropped when a redirect leaves the origin (scheme, host and port). */
export const SENSITIVE_HEADERS: readonly string[] = ['authorization', 'cookie', 'proxy-authorization'];

/** One request of a redirect chain. */
export interface Hop {
  method: 'GET' | 'HEAD';
  url: URL;
  /** Lower-case request headers. */
  headers: Record<string, string>;
}

/** Sends one hop and returns the answer, without following redirects. */
export type SendHop = (hop: Hop) => Promise<OriginResponse>;

/** The final answer and the URL that gave it. */
export interface FinalResponse {
  response: OriginResponse;
  hop: Hop;
}

/**
 * The hop after `current` answered a redirect with `location`. Relative locations resolve against the current
 * URL; only http and https targets are followed, never https to http; sensitive headers are dropped when the
 * origin changes. Throws `D7Y_ERR_EGRESS_DENIED` for a refused target, `D7Y_ERR_SOURCE_ERROR` for a missing or
 * malformed `Location`.
 */
export function nextHop(current: Hop, statusCode: number, location: string | string[] | undefined): Hop {
  const attempt: Attempt = current;
  if (typeof location !== 'string' || location.trim() === '') {
    throw protocolError(attempt, `origin answered ${statusCode} without a usable Location`, { statusCode });
  }
  let target: URL;
  try {
    target = new URL(location.trim(), current.url);
  } catch (cause) {
    throw protocolError(attempt, `origin redirected to a malformed Location`, { statusCode, cause });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw redirectDenied(attempt, `refusing redirect to unsupported scheme ${target.protocol.replace(/:$/, '')}`, statusCode);
  }
  if (current.url.protocol === 'https:' && target.protocol === 'http:') {
    throw redirectDenied(attempt, `refusing https to http downgrade to ${redactUrl(target)}`, statusCode);
  }
  target.hash = '';
  const headers = { ...current.headers };
  if (target.origin !== current.url.origin) for (const name of SENSITIVE_HEADERS) delete headers[name];
  return { method: current.method, url: target, headers };
}

/**
 * Sends `first` and follows up to `maxRedirects` redirects. Small redirect bodies are drained so their connections
 * return to the pool. More redirects than allowed is `D7Y_ERR_SOURCE_ERROR` "too many
 * redirects".
 */
export async function sendFollowingRedirects(send: SendHop, first: Hop, maxRedirects: number, logger?: Logger): Promise<FinalResponse> {
  let hop = first;
  for (let redirects = 0; ; redirects++) {
    const response = await send(hop);
    if (!REDIRECT_STATUSES.has(response.statusCode)) return { response, hop };
    response.body.discard();
    if (redirects >= maxRedirects) {
      throw protocolError(hop, `too many redirects (more than ${maxRedirects})`, { statusCode: response.statusCode, headers: response.headers });
    }
    const next = nextHop(hop, response.statusCode, response.headers.location);
    logger?.debug({ from: redactUrl(hop.url), to: redactUrl(next.url), statusCode: response.statusCode }, 'following redirect');
    hop = next;
  }
}

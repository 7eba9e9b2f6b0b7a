/**
 * Registry authentication for preheat (Dragonfly `pkg/oci/auth.go`): an `Authorization` header given by the
 * caller is used as is; otherwise a 401 challenge decides: `Bearer realm=…,service=…,scope=…` fetches a token
 * from the realm (with basic credentials when a username is set), `Basic` uses the username and password.
 * The realm is fetched through the egress policy like every other request.
 */
import type { EgressPolicy } from '../../../plugin-api/EgressPolicy.js';
import { createError, ErrorCodes } from '../../../common/errors.js';
import { egressRequest } from '../../../common/egress/egressRequest.js';

/** One parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or `Basic realm="…"`); undefined when absent or malformed. */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(value);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[param[1]!.toLowerCase()] = (param[2] ?? param[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

/** Basic credentials from the preheat args. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** `Basic base64(user:password)`. */
export function basicAuthorization(credentials: BasicCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** How registry requests are made (policy, timeouts, TLS). */
export interface RegistryClientOptions {
  readonly egress: EgressPolicy;
  readonly timeoutMs: number;
  readonly insecureSkipVerify?: boolean;
  readonly ca?: string;
}

/**
 * The `Authorization` value answering `challenge`: a bearer token from the realm, or basic credentials.
 * `D7Y_ERR_UNAUTHENTICATED` when the registry wants credentials that were not given or the realm refuses them;
 * `D7Y_ERR_EGRESS_DENIED` when the realm is a denied address.
 */
export async function answerChallenge(challenge: Challenge, credentials: BasicCredentials | undefined, options: RegistryClientOptions): Promise<string> {
  if (challenge.scheme === 'basic') {
    if (!credentials) throw createError(ErrorCodes.UNAUTHENTICATED, 'registry requires basic auth; set args.username and args.password');
    return basicAuthorization(credentials);
  }
  if (challenge.scheme !== 'bearer') throw createError(ErrorCodes.UNAUTHENTICATED, `registry asks for unsupported auth scheme ${challenge.scheme}`);
  const realm = challenge.params.realm;
  if (!realm) throw createError(ErrorCodes.UNAUTHENTICATED, 'registry bearer challenge has no realm');
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw createError(ErrorCodes.UNAUTHENTICATED, `registry bearer realm ${JSON.stringify(realm)} is not a URL`);
  }
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  if (challenge.params.scope) url.searchParams.set('scope', challenge.params.scope);
  const response = await egressRequest(options.egress, {
    url,
    headers: { accept: 'application/json', ...(credentials ? { authorization: basicAuthorization(credentials) } : {}) },
    timeoutMs: options.timeoutMs,
    maxBodyBytes: 256 * 1024,
    rejectUnauthorized: !options.insecureSkipVerify,
    ...(options.ca ? { ca: options.ca } : {}),
  });
  if (response.status !== 200) {
    throw createError(ErrorCodes.UNAUTHENTICATED, `token realm ${url.origin}${url.pathname} answered ${response.status}`);
  }
  let token: unknown;
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
    token = body.token ?? body.access_token;
  } catch {
    throw createError(ErrorCodes.UNAUTHENTICATED, `token realm ${url.origin}${url.pathname} answered no JSON`);
  }
  if (typeof token !== 'string' || token === '') throw createError(ErrorCodes.UNAUTHENTICATED, `token realm ${url.origin}${url.pathname} answered no token`);
  return `Bearer ${token}`;
}

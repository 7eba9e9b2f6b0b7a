/**
 * The request headers sent to the origin: the caller's headers minus hop-by-hop and transport-owned ones,
 * plus our defaults (identity encoding, user agent, basic auth from URL userinfo).
 */

/** Names never forwarded: hop-by-hop (RFC 9110 7.6.1, plus proxy credentials meant for our proxy) and headers this client owns. */
const DROPPED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers',
  'transfer-encoding', 'upgrade', 'host', 'range', 'content-length', 'expect',
  // Cache validators belong to the caller's cache: back-to-source needs the bytes, never a 304.
  'if-none-match', 'if-modified-since',
]);

/**
 * Builds the headers for a request to `url`. Caller headers pass through lower-cased, except hop-by-hop ones
 * (and any named in their `Connection`), `host`, `range`, `content-length`, `expect` and cache validators.
 * Adds `accept-encoding: identity` unless the caller chose an encoding (byte ranges must address the stored
 * bytes), `user-agent` unless given, and `authorization: Basic` from the URL's userinfo unless given.
 */
export function requestHeaders(url: URL, callerHeaders: Readonly<Record<string, string>> | undefined, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const given = Object.entries(callerHeaders ?? {});
  const named = new Set<string>();
  for (const [name, value] of given) {
    if (name.toLowerCase() === 'connection') for (const token of String(value).split(',')) named.add(token.trim().toLowerCase());
  }
  for (const [name, value] of given) {
    const key = name.toLowerCase();
    if (DROPPED.has(key) || named.has(key) || value === undefined) continue;
    headers[key] = String(value);
  }
  headers['accept-encoding'] ??= 'identity';
  headers['user-agent'] ??= userAgent;
  if (headers.authorization === undefined && (url.username !== '' || url.password !== '')) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  return headers;
}

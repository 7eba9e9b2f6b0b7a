/**
 * `proxy.server.basicAuth`: the `Proxy-Authorization: Basic` credentials every proxy client must send when it is
 * configured. Credentials are compared as SHA-256 digests in constant time, and the header is never forwarded.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Longest Proxy-Authorization value looked at. */
const MAX_HEADER_LENGTH = 1024;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Checks Proxy-Authorization headers against configured credentials. */
export class BasicAuth {
  private readonly expected: Buffer;

  constructor(credentials: { username: string; password: string }) {
    this.expected = digest(`${credentials.username}:${credentials.password}`);
  }

  /**
   * True only for exactly one `Basic <base64 of user:password>` value (scheme in any case) with the configured
   * credentials. Missing, duplicated, oversized, non-base64 or colon-less values are refused.
   */
  check(values: readonly string[]): boolean {
    if (values.length !== 1) return false;
    const value = values[0]!;
    if (value.length > MAX_HEADER_LENGTH) return false;
    const match = /^basic ([A-Za-z0-9+/]+={0,2})$/i.exec(value.trim());
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    if (Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') !== match[1]!.replace(/=+$/, '')) return false;
    const colon = decoded.indexOf(':');
    if (colon <= 0 || colon === decoded.length - 1) return false;
    return timingSafeEqual(digest(decoded), this.expected);
  }
}

/** Every value of a header in a raw header list (`IncomingMessage.rawHeaders`), duplicates kept. */
export function rawHeaderValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  return values;
}

/**
 * `hdfs://<namenode>[:port]/<path>` URLs and the WebHDFS REST URLs they map to
 * (`http://<namenode>:<port>/webhdfs/v1/<path>?op=...`, port 9870 by default as in Hadoop 3).
 */
import { createError, ErrorCodes } from '@d7y/core/plugin-api';

/** Hadoop 3's default NameNode HTTP port. */
export const DEFAULT_WEBHDFS_PORT = 9870;

/** Where an `hdfs://` URL points. */
export interface HdfsLocation {
  /** `host:port` of the NameNode's HTTP server. */
  authority: string;
  /** Absolute, decoded HDFS path (`/` for the root). */
  path: string;
}

/** Parses an `hdfs://` URL; `D7Y_ERR_INVALID_ARGUMENT` for a missing host, credentials or `..` segments. */
export function parseHdfsUrl(url: URL): HdfsLocation {
  if (url.protocol !== 'hdfs:') throw createError(ErrorCodes.UNSUPPORTED_SCHEME, `source/hdfs cannot fetch ${url.protocol.replace(/:$/, '')} URLs`);
  if (url.hostname === '') throw createError(ErrorCodes.INVALID_ARGUMENT, `hdfs URL ${url.href} names no namenode host`);
  if (url.username !== '' || url.password !== '') {
    throw createError(ErrorCodes.INVALID_ARGUMENT, 'hdfs URLs must not carry credentials; use --hdfs-delegation-token');
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname || '/');
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid percent-encoding in ${url.href}`);
  }
  if (path.split('/').includes('..')) throw createError(ErrorCodes.INVALID_ARGUMENT, `hdfs path ${path} contains '..'`);
  return { authority: `${url.hostname}:${url.port || DEFAULT_WEBHDFS_PORT}`, path };
}

/** The `hdfs://` URL of `path` on the same NameNode, each segment percent-encoded. */
export function hdfsUrl(location: HdfsLocation, path: string): string {
  return `hdfs://${location.authority}${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** The WebHDFS REST URL for `op` on `location`, with extra query parameters. */
export function webhdfsUrl(location: HdfsLocation, scheme: 'http' | 'https', op: string, params: Record<string, string | number | undefined> = {}): URL {
  const url = new URL(`${scheme}://${location.authority}/webhdfs/v1${location.path.split('/').map(encodeURIComponent).join('/')}`);
  url.searchParams.set('op', op);
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  return url;
}

/** A WebHDFS URL safe for messages: the `delegation` token and any `*token*` parameter replaced. */
export function redactWebhdfsUrl(url: URL): string {
  const copy = new URL(url);
  for (const name of [...copy.searchParams.keys()]) if (/delegation|token/i.test(name)) copy.searchParams.set(name, 'REDACTED');
  return copy.toString();
}

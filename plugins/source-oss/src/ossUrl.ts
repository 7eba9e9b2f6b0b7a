/**
 * `oss://<bucket>/<key>` URLs: parsing, and building entry URLs for directory listings.
 */
import { createError, ErrorCodes } from '@d7y/core/plugin-api';

/** Bucket and key of an `oss://` URL. */
export interface OssLocation {
  bucket: string;
  /** Object key without a leading `/`; empty for the bucket root; ends with `/` for a directory. */
  key: string;
}

/** OSS bucket names: 3-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen. */
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Splits `oss://bucket/key`; `D7Y_ERR_INVALID_ARGUMENT` for a bad bucket name or credentials in the URL. */
export function parseOssUrl(url: URL): OssLocation {
  if (url.protocol !== 'oss:') throw createError(ErrorCodes.UNSUPPORTED_SCHEME, `source/oss cannot fetch ${url.protocol.replace(/:$/, '')} URLs`);
  if (url.username !== '' || url.password !== '') {
    throw createError(ErrorCodes.INVALID_ARGUMENT, 'oss URLs must not carry credentials; use --storage-access-key-id and --storage-access-key-secret');
  }
  const bucket = url.hostname;
  if (!BUCKET.test(bucket)) throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid OSS bucket name ${JSON.stringify(bucket)} in oss://${bucket}${url.pathname}`);
  let key: string;
  try {
    key = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid percent-encoding in the key of oss://${bucket}${url.pathname}`);
  }
  return { bucket, key };
}

/** The `oss://` URL of `key` in `bucket`, each path segment percent-encoded. */
export function ossUrl(bucket: string, key: string): string {
  return `oss://${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * `s3://<bucket>/<key>` URLs: parsing, and building entry URLs for directory listings.
 */
import { createError, ErrorCodes } from '@d7y/core/plugin-api';

/** Bucket and key of an `s3://` URL. */
export interface S3Location {
  bucket: string;
  /** Object key, without a leading `/`; empty for the bucket root. Ends with `/` for a directory. */
  key: string;
}

/** Bucket names S3 accepts (3-63 characters: lower case, digits, dots, hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Splits `s3://bucket/key` into bucket and (percent-decoded) key. Throws `D7Y_ERR_INVALID_ARGUMENT` naming
 * the URL when the scheme is not `s3`, the bucket name is invalid, or the URL carries credentials.
 */
export function parseS3Url(url: URL): S3Location {
  if (url.protocol !== 's3:') throw createError(ErrorCodes.UNSUPPORTED_SCHEME, `source/s3 cannot fetch ${url.protocol.replace(/:$/, '')} URLs`);
  if (url.username !== '' || url.password !== '') {
    throw createError(ErrorCodes.INVALID_ARGUMENT, 's3 URLs must not carry credentials; use --storage-access-key-id and --storage-access-key-secret');
  }
  const bucket = url.hostname;
  if (!BUCKET.test(bucket)) throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid S3 bucket name ${JSON.stringify(bucket)} in s3://${bucket}${url.pathname}`);
  let key: string;
  try {
    key = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid percent-encoding in the key of s3://${bucket}${url.pathname}`);
  }
  return { bucket, key };
}

/** The `s3://` URL of `key` in `bucket`, each path segment percent-encoded. */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

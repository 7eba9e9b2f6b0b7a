/**
 * @aws-sdk/client-s3, imported on first use: a dfdaemon (or dfget) that never sees an `s3://` URL does not pay
 * its load time (~200 ms) and memory at start.
 */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

let sdk: Promise<S3Sdk> | undefined;

/** The SDK module, loaded once. */
export function loadS3Sdk(): Promise<S3Sdk> {
  return (sdk ??= import('@aws-sdk/client-s3'));
}

import type { Readable } from 'node:stream';

/** Credentials and placement for object storage URLs (`s3://`, `oss://`...). Never logged. */
export interface ObjectStorageOptions {
  region?: string;
  endpoint?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  /** S3 session token. */
  sessionToken?: string;
  /** OSS STS security token. */
  securityToken?: string;
  insecureSkipVerify?: boolean;
}

/** Options for `hdfs://` URLs. */
export interface HdfsOptions {
  delegationToken?: string;
}

/** What every source request carries. */
export interface SourceRequest {
  /** The URL to fetch, with a scheme this client serves. */
  url: URL;
  /** Request headers to pass through to the origin (lower-case names). */
  headers?: Readonly<Record<string, string>>;
  /** Per-request deadline in milliseconds. */
  timeoutMs?: number;
  /** Aborts the request. */
  signal?: AbortSignal;
  objectStorage?: ObjectStorageOptions;
  hdfs?: HdfsOptions;
}

/** An entry of a directory listing. */
export interface SourceEntry {
  /** Absolute URL of the entry, same scheme as the directory. */
  url: string;
  /** Size in bytes (0 for directories). */
  contentLength: number;
  isDir: boolean;
}

/** Result of `stat`. */
export interface SourceStat {
  /** Size in bytes, or -1 when the origin does not say. */
  contentLength: number;
  /** Response headers worth keeping with the task (content-type, etag, last-modified...), lower-case names. */
  headers: Record<string, string>;
  /** The HTTP-like status the origin answered with, where the protocol has one. */
  statusCode?: number;
  /** True if the URL names a directory (then `entries` lists its contents, recursively). */
  isDir?: boolean;
  /** Directory contents for recursive downloads. */
  entries?: SourceEntry[];
  /** True if the origin honours byte ranges for this object. */
  acceptRanges?: boolean;
}

/** A byte range: `length` bytes from `start`. */
export interface ByteRange {
  start: number;
  length: number;
}

/** Result of `get`. */
export interface SourceBody {
  /** The bytes; exactly `range.length` bytes when a range was asked, or the whole object. */
  stream: Readable;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  statusCode?: number;
  /** Number of bytes the stream will yield, or -1 when unknown. */
  contentLength: number;
}

/**
 * A back-to-source client for one or more URL schemes (the `source` plugin kind).
 *
 * Errors are coded: `D7Y_ERR_SOURCE_ERROR` with `details.statusCode` and `details.headers` for origin error
 * statuses, `D7Y_ERR_NOT_FOUND` for missing objects, `D7Y_ERR_UNAUTHENTICATED`/`PERMISSION_DENIED` for
 * credential failures, `D7Y_ERR_EGRESS_DENIED` when the policy refuses the address, `D7Y_ERR_TIMEOUT`.
 * Messages never contain credentials.
 */
export interface SourceClient {
  /** The URL schemes this client serves, lower case, without `:` (for example `['http', 'https']`). */
  schemes(): readonly string[];
  /**
   * Learns the size and metadata of the object (or directory) at `url` without downloading it.
   * Must not return a content length it has not been told by the origin.
   */
  stat(request: SourceRequest): Promise<SourceStat>;
  /**
   * Streams the object, or exactly the bytes of `range`. Implementations check that the origin answered the
   * range they asked for and fail rather than return other bytes. The stream errors if the origin closes
   * early, so a truncated body is never mistaken for a whole one.
   */
  get(request: SourceRequest & { range?: ByteRange }): Promise<SourceBody>;
  /** True if the object exists; false for a clear "not found"; throws for other failures. */
  exists(request: SourceRequest): Promise<boolean>;
  /** Releases pooled connections. Called once when the host shuts down. */
  close?(): Promise<void>;
}

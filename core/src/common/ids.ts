import { createHash, randomUUID } from 'node:crypto';

import { createError, ErrorCodes } from '../plugin-api/errors.js';

/** Query parameters that carry signatures or routing hints rather than identity (spec 5.1). */
export const DEFAULT_FILTERED_QUERY_PARAMS: readonly string[] = Object.freeze([
  // S3
  'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature',
  'X-Amz-Security-Token', 'X-Amz-User-Agent',
  // GCS
  'X-Goog-Algorithm', 'X-Goog-Credential', 'X-Goog-Date', 'X-Goog-Expires', 'X-Goog-SignedHeaders', 'X-Goog-Signature',
  // OSS
  'OSSAccessKeyId', 'Expires', 'Signature', 'SecurityToken',
  // OBS
  'AccessKeyId', 'X-Obs-Date', 'X-Obs-Security-Token',
  // COS
  'q-sign-algorithm', 'q-ak', 'q-sign-time', 'q-key-time', 'q-header-list', 'q-url-param-list', 'q-signature',
  'x-cos-security-token',
  // containerd mirror hint
  'ns',
]);

/** Inputs of a standard task id. */
export interface TaskIdInput {
  url: string;
  tag?: string;
  application?: string;
  /** Hugging Face / ModelScope revision. */
  revision?: string;
  /** Only when the user fixed the piece length: it changes task identity. */
  pieceLength?: number;
  /** Query parameter names removed before hashing (exact, case-sensitive). */
  filteredQueryParams?: readonly string[];
  /** When set, the task id is the sha256 of this content and nothing else counts. */
  contentForCalculatingTaskId?: string;
  /** When true and the URL is an OCI blob URL, the blob's digest is the task id. */
  enableTaskIdBasedBlobDigest?: boolean;
}

const BLOB_URL = /^(.*):\/\/(.*)\/v2\/(.*)\/blobs\/([^?]+)(?:\?.*)?$/;
const TASK_ID = /^[0-9a-f]{64}$/;

/**
 * Computes a standard task id exactly as Dragonfly v2 does (spec 5.1): sha256 of the filtered URL followed by
 * tag, application, revision and piece length when present, then the task type `STANDARD`.
 */
export function taskId(input: TaskIdInput): string {
  if (input.contentForCalculatingTaskId !== undefined) return sha256Hex(input.contentForCalculatingTaskId);
  if (input.enableTaskIdBasedBlobDigest) {
    const blobDigest = BLOB_URL.exec(input.url)?.[4];
    if (blobDigest !== undefined) {
      const [algorithm, encoded] = blobDigest.split(':');
      if (algorithm === 'sha256' && encoded !== undefined && TASK_ID.test(encoded)) return encoded;
    }
  }
  let data = filterUrl(input.url, input.filteredQueryParams ?? []);
  if (input.tag) data += input.tag;
  if (input.application) data += input.application;
  if (input.revision) data += input.revision;
  if (input.pieceLength !== undefined) data += String(input.pieceLength);
  return sha256Hex(data + 'STANDARD');
}

/**
 * Removes the named query parameters from a URL and serialises it the way the WHATWG URL parser does, dropping an
 * empty `?` and a lone trailing `/` path.
 */
export function filterUrl(rawUrl: string, filtered: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid URL: ${JSON.stringify(redactUrl(rawUrl))}`);
  }
  if (filtered.length > 0 && url.search) {
    const drop = new Set(filtered);
    const kept = [...url.searchParams].filter(([key]) => !drop.has(key));
    url.search = '';
    for (const [key, value] of kept) url.searchParams.append(key, value);
  }
  let serialised = url.toString();
  if (url.pathname === '/' && !url.search && !url.hash) serialised = serialised.replace(/\/$/, '');
  return serialised;
}

/** Host id: `{ip}-{hostname}`, with `-seed` for seed peers. */
export function hostId(ip: string, hostname: string, seed = false): string {
  return `${ip}-${hostname}${seed ? '-seed' : ''}`;
}

/** Peer id: `{ip}-{hostname}-{uuid}`, with `-seed` for seed peers. */
export function peerId(ip: string, hostname: string, seed = false): string {
  return `${ip}-${hostname}-${randomUUID()}${seed ? '-seed' : ''}`;
}

/** True for a well-formed task id (64 lower-case hex characters). */
export function isTaskId(value: unknown): value is string {
  return typeof value === 'string' && TASK_ID.test(value);
}

/** Throws `D7Y_ERR_INVALID_ARGUMENT` unless `value` is a task id; peers never name anything else. */
export function assertTaskId(value: unknown, field = 'task_id'): string {
  if (!isTaskId(value)) {
    throw createError(ErrorCodes.INVALID_ARGUMENT, `${field} must be 64 lower-case hex characters`, {
      details: { field },
    });
  }
  return value;
}

/** Removes user info and signature-like query values from a URL for logs and errors. */
export function redactUrl(rawUrl: string): string {
  try {
    const url = new URL(rawUrl);
    if (url.username || url.password) {
      url.username = url.username ? '***' : '';
      url.password = url.password ? '***' : '';
    }
    const secrets = new Set(DEFAULT_FILTERED_QUERY_PARAMS.map((name) => name.toLowerCase()));
    for (const key of [...url.searchParams.keys()]) {
      const lower = key.toLowerCase();
      if (secrets.has(lower) || /token|signature|secret|password|credential/.test(lower)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return rawUrl.length > 200 ? `${rawUrl.slice(0, 200)}…` : rawUrl;
  }
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

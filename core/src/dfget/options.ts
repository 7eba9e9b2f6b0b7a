import { isAbsolute, resolve } from 'node:path';

import { parseDigest } from '../common/digests.js';
import { createError, ErrorCodes } from '../common/errors.js';
import type { HdfsOptions, ObjectStorageOptions } from '../plugin-api/index.js';
import { DEFAULT_FILTERED_QUERY_PARAMS } from '../common/ids.js';
import { MAX_PIECE_LENGTH, MIN_PIECE_LENGTH } from '../common/pieces.js';
import { parseDuration, parseSize } from '../common/units.js';

/** Default Unix socket of the local dfdaemon (Dragonfly's path). */
export const DEFAULT_DFDAEMON_SOCKET = '/var/run/dragonfly/dfdaemon.sock';

/** Flags as commander hands them over (strings before validation). */
export interface RawDfgetFlags {
  output?: string;
  digest?: string;
  tag?: string;
  application?: string;
  pieceLength?: string;
  filteredQueryParam?: string[];
  header?: string[];
  timeout?: string;
  priority?: string;
  disableBackToSource?: boolean;
  endpoint?: string;
  progress?: boolean;
  logLevel?: string;
  console?: boolean;
  overwrite?: boolean;
  forceHardLink?: boolean;
  transferFromDfdaemon?: boolean;
  contentForCalculatingTaskId?: string;
  recursive?: boolean;
  includeFiles?: string[];
  maxFiles?: string;
  maxConcurrentRequests?: string;
  storageRegion?: string;
  storageEndpoint?: string;
  storageAccessKeyId?: string;
  storageAccessKeySecret?: string;
  storageSessionToken?: string;
  storageSecurityToken?: string;
  storageInsecureSkipVerify?: boolean;
  hdfsDelegationToken?: string;
}

/** Validated dfget options. */
export interface DfgetOptions {
  url: string;
  output: string;
  digest?: string;
  tag: string;
  application: string;
  pieceLength?: number;
  filteredQueryParams: string[];
  headers: Record<string, string>;
  timeoutMs: number;
  priority: number;
  disableBackToSource: boolean;
  endpoint: string;
  progress: boolean;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  console: boolean;
  overwrite: boolean;
  forceHardLink: boolean;
  /** The daemon streams the pieces over its socket and dfget writes the output itself. */
  transferFromDfdaemon: boolean;
  contentForCalculatingTaskId?: string;
  /** `-r`: the URL is a directory; `output` is the local directory to fill. */
  recursive: boolean;
  /** `--include-files` globs, relative to the directory (empty: every file). */
  includeFiles: string[];
  /** `--max-files`: most files one recursive download may fetch. */
  maxFiles: number;
  /** `--max-concurrent-requests`: files downloaded at once in a recursive download. */
  maxConcurrentRequests: number;
  /** `--storage-*`: placement and credentials for object storage URLs. */
  objectStorage?: ObjectStorageOptions;
  /** `--hdfs-delegation-token`. */
  hdfs?: HdfsOptions;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function invalid(flag: string, message: string): never {
  throw createError(ErrorCodes.INVALID_ARGUMENT, `${flag}: ${message}`);
}

/** Validates dfget's URL and flags; every error names the flag and what was wrong. */
export function parseDfgetOptions(url: string | undefined, flags: RawDfgetFlags, cwd = process.cwd()): DfgetOptions {
  if (!url) invalid('URL', 'missing; usage: dfget <URL> -O <PATH>');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    invalid('URL', `${JSON.stringify(url)} is not an absolute URL (like https://example.com/file)`);
  }
  if (!parsed.hostname && parsed.protocol !== 'file:') invalid('URL', `${JSON.stringify(url)} has no host`);

  const recursive = flags.recursive ?? false;
  if (!flags.output) invalid('-O, --output', recursive ? 'missing; give the directory to write the files to' : 'missing; give the path to write the file to');
  const output = isAbsolute(flags.output) ? flags.output : resolve(cwd, flags.output);
  if (!recursive && flags.output.endsWith('/')) invalid('-O, --output', 'must name a file, not a directory (use -r for a directory)');
  if (recursive && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
    invalid('-r, --recursive', `directory downloads are not supported for ${parsed.protocol.replace(/:$/, '')} URLs (use s3://, oss:// or hdfs://)`);
  }
  if (recursive && flags.digest !== undefined) invalid('--digest', 'names one file and cannot be combined with -r');
  if (!recursive && flags.includeFiles?.length) invalid('-I, --include-files', 'only applies to recursive downloads (-r)');
  for (const pattern of flags.includeFiles ?? []) {
    if (pattern === '' || pattern.startsWith('/') || pattern.split('/').includes('..')) invalid('-I, --include-files', `${JSON.stringify(pattern)} must be a relative path pattern without '..'`);
  }
  const count = (flag: string, raw: string | undefined, fallback: number, max: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) invalid(flag, `must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
    return value;
  };
  const maxFiles = count('--max-files', flags.maxFiles, 100, 1_000_000);
  const maxConcurrentRequests = count('--max-concurrent-requests', flags.maxConcurrentRequests, 5, 64);
  const objectStorage = objectStorageFrom(flags);
  const hdfs = flags.hdfsDelegationToken ? { delegationToken: flags.hdfsDelegationToken } : undefined;

  let digest: string | undefined;
  if (flags.digest !== undefined) {
    try {
      const d = parseDigest(flags.digest);
      digest = `${d.algorithm}:${d.encoded}`;
    } catch (error) {
      invalid('--digest', (error as Error).message);
    }
  }

  let pieceLength: number | undefined;
  if (flags.pieceLength !== undefined) {
    try {
      pieceLength = parseSize(flags.pieceLength);
    } catch (error) {
      invalid('--piece-length', (error as Error).message);
    }
    if (pieceLength < MIN_PIECE_LENGTH || pieceLength > MAX_PIECE_LENGTH) {
      invalid('--piece-length', `must be between 4MiB and 64MiB, got ${flags.pieceLength}`);
    }
  }

  const headers: Record<string, string> = {};
  for (const header of flags.header ?? []) {
    const colon = header.indexOf(':');
    const name = colon > 0 ? header.slice(0, colon).trim() : '';
    if (!name || !HEADER_NAME.test(name)) invalid('-H, --header', `${JSON.stringify(header)} is not "Name: value"`);
    const value = header.slice(colon + 1).trim();
    if (/[\r\n\0]/.test(value)) invalid('-H, --header', `value of ${name} contains a control character`);
    headers[name.toLowerCase()] = value;
  }

  let timeoutMs = 2 * 60 * 60 * 1000;
  if (flags.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(flags.timeout);
    } catch (error) {
      invalid('--timeout', (error as Error).message);
    }
    if (timeoutMs <= 0) invalid('--timeout', `must be positive, got ${flags.timeout}`);
  }

  const priority = flags.priority === undefined ? 6 : Number(flags.priority);
  if (!Number.isInteger(priority) || priority < 0 || priority > 6) {
    invalid('-p, --priority', `must be an integer from 0 to 6, got ${JSON.stringify(flags.priority)}`);
  }

  const logLevel = (flags.logLevel ?? 'info') as DfgetOptions['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) invalid('-l, --log-level', `must be one of ${LOG_LEVELS.join(', ')}, got ${flags.logLevel}`);

  if (flags.forceHardLink && flags.overwrite) invalid('--force-hard-link', 'cannot be combined with --overwrite');
  if (flags.forceHardLink && flags.transferFromDfdaemon) invalid('--force-hard-link', 'cannot be combined with --transfer-from-dfdaemon (dfget writes the file itself)');

  return {
    url: parsed.toString(),
    output,
    digest,
    tag: flags.tag ?? '',
    application: flags.application ?? '',
    pieceLength,
    filteredQueryParams: flags.filteredQueryParam?.length ? [...flags.filteredQueryParam] : [...DEFAULT_FILTERED_QUERY_PARAMS],
    headers,
    timeoutMs,
    priority,
    disableBackToSource: flags.disableBackToSource ?? false,
    endpoint: flags.endpoint ?? DEFAULT_DFDAEMON_SOCKET,
    progress: flags.progress !== false,
    logLevel,
    console: flags.console ?? false,
    overwrite: flags.overwrite ?? false,
    forceHardLink: flags.forceHardLink ?? false,
    transferFromDfdaemon: flags.transferFromDfdaemon ?? false,
    contentForCalculatingTaskId: flags.contentForCalculatingTaskId,
    recursive,
    includeFiles: [...(flags.includeFiles ?? [])],
    maxFiles,
    maxConcurrentRequests,
    objectStorage,
    hdfs,
  };
}

/** The `--storage-*` flags as request fields; undefined when none is given. */
function objectStorageFrom(flags: RawDfgetFlags): ObjectStorageOptions | undefined {
  const options: ObjectStorageOptions = {};
  if (flags.storageRegion) options.region = flags.storageRegion;
  if (flags.storageEndpoint) options.endpoint = flags.storageEndpoint;
  if (flags.storageAccessKeyId) options.accessKeyId = flags.storageAccessKeyId;
  if (flags.storageAccessKeySecret) options.accessKeySecret = flags.storageAccessKeySecret;
  if (flags.storageSessionToken) options.sessionToken = flags.storageSessionToken;
  if (flags.storageSecurityToken) options.securityToken = flags.storageSecurityToken;
  if (flags.storageInsecureSkipVerify) options.insecureSkipVerify = true;
  return Object.keys(options).length > 0 ? options : undefined;
}

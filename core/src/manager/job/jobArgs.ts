/**
 * Validation of job creation requests (Dragonfly `types.CreateJobRequest`, `PreheatArgs`, `GetTaskArgs`,
 * `DeleteTaskArgs`, sync_peers): defaults applied, unknown fields ignored (Harbor sends `concurrent_count`), errors
 * naming the field. Secrets (`password`, header values) are split off so that the stored args never hold them.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import { DEFAULT_FILTERED_QUERY_PARAMS } from '../../common/ids.js';
import type { PreheatScope } from '../../common/jobs/protocol.js';
import { isPlainObject } from '../models/fieldSpec.js';
import { parseManifestUrl } from './image/manifestUrl.js';
import { JOB_TYPES, type JobType } from './JobRepository.js';

const MiB = 1024 * 1024;
/** Default preheat timeout (Dragonfly: 60 min). */
export const DEFAULT_PREHEAT_TIMEOUT_MS = 60 * 60_000;
/** Longest preheat timeout accepted. */
export const MAX_PREHEAT_TIMEOUT_MS = 24 * 60 * 60_000;
export const DEFAULT_CONCURRENT_TASK_COUNT = 8;
export const DEFAULT_CONCURRENT_PEER_COUNT = 500;
const SCOPES: readonly PreheatScope[] = ['single_seed_peer', 'all_seed_peers', 'all_peers'];
const MAX_URLS = 1000;
const MAX_HEADERS = 64;

/** A validated job creation request. */
export interface CreateJobInput {
  readonly type: JobType;
  readonly bio: string;
  /** Null: every scheduler cluster. */
  readonly schedulerClusterIds: number[] | null;
  readonly seedPeerClusterIds: number[];
  readonly args: PreheatArgs | TaskRefArgsInput | SyncPeersArgsInput;
}

/** sync_peers args: how long each scheduler has to answer (`job.syncPeers.timeout`, 10 min). */
export interface SyncPeersArgsInput {
  readonly kind: 'sync_peers';
  /** Nanoseconds. */
  readonly timeout: number;
}

/** Default time a scheduler has to answer a sync_peers task (Dragonfly: 10 min). */
export const DEFAULT_SYNC_PEERS_TIMEOUT_MS = 10 * 60_000;

/** Preheat args with defaults; `headers` and `password` are secret. */
export interface PreheatArgs {
  readonly kind: 'preheat';
  readonly type: 'image' | 'file';
  readonly url: string;
  readonly urls: string[];
  readonly piece_length?: number;
  readonly tag: string;
  readonly application: string;
  readonly filtered_query_params: string;
  readonly headers: Record<string, string>;
  readonly username: string;
  readonly password: string;
  readonly platform: string;
  readonly scope: PreheatScope;
  readonly ips: string[];
  readonly count?: number;
  readonly percentage?: number;
  readonly concurrent_task_count: number;
  readonly concurrent_peer_count: number;
  /** Nanoseconds, as Dragonfly's `time.Duration`. */
  readonly timeout: number;
}

/** get_task / delete_task args. */
export interface TaskRefArgsInput {
  readonly kind: 'task';
  readonly task_id: string;
  readonly url: string;
  readonly tag: string;
  readonly application: string;
  readonly filtered_query_params: string;
  readonly concurrent_peer_count: number;
  readonly timeout: number;
}

function bad(field: string, why: string): never {
  throw createError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${why}`, { details: { field } });
}

function str(value: unknown, field: string, max = 4096): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') bad(field, 'expected a string');
  if (value.length > max) bad(field, `at most ${max} characters`);
  return value;
}

function optInt(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) bad(field, `expected an integer in ${min}..${max}`);
  return value;
}

function idList(value: unknown, field: string): number[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) bad(field, 'expected an array of ids or null');
  if (value.length > 1000) bad(field, 'at most 1000 ids');
  const ids = value.map((id, i) => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) bad(`${field}[${i}]`, 'expected a positive integer id');
    return id;
  });
  return ids.length === 0 ? null : [...new Set(ids)];
}

function httpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    bad(field, 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') bad(field, 'expected an http or https URL');
  return value;
}

/** Timeout in ns: 0/absent -> default; else at least 1 s and at most 24 h. */
function timeoutNs(value: unknown, field: string, defaultMs: number): number {
  if (value === undefined || value === null || value === 0) return defaultMs * 1e6;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1e9 || value > MAX_PREHEAT_TIMEOUT_MS * 1e6) bad(field, 'expected nanoseconds between 1 s and 24 h');
  return Math.floor(value);
}

function headersOf(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) bad(field, 'expected an object of header names to values');
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) bad(field, `at most ${MAX_HEADERS} headers`);
  const headers: Record<string, string> = {};
  for (const [name, v] of entries) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/.test(name)) bad(`${field}.${name}`, 'not a valid header name');
    if (typeof v !== 'string' || /[\r\n\0]/.test(v) || v.length > 16 * 1024) bad(`${field}.${name}`, 'expected a single-line string');
    headers[name] = v;
  }
  return headers;
}

/** Validates preheat args (spec 9.2). */
export function parsePreheatArgs(raw: unknown, defaultPlatform: string): PreheatArgs {
  if (!isPlainObject(raw)) bad('args', 'expected an object');
  const type = raw.type;
  if (type !== 'image' && type !== 'file') bad('args.type', 'expected image or file');
  const url = str(raw.url, 'args.url', 8192);
  const urls = raw.urls === undefined || raw.urls === null ? [] : raw.urls;
  if (!Array.isArray(urls)) bad('args.urls', 'expected an array of URLs');
  if (urls.length > MAX_URLS) bad('args.urls', `at most ${MAX_URLS} URLs`);
  const fileUrls = urls.map((u, i) => httpUrl(str(u, `args.urls[${i}]`, 8192), `args.urls[${i}]`));
  if (type === 'image') {
    if (url === '') bad('args.url', 'required for an image preheat');
    parseManifestUrl(url);
  } else {
    if (url === '' && fileUrls.length === 0) bad('args.url', 'url or urls is required for a file preheat');
    if (url !== '') httpUrl(url, 'args.url');
  }
  const pieceLength = optInt(raw.piece_length, 'args.piece_length', 4 * MiB, 64 * MiB);
  const scopeText = str(raw.scope, 'args.scope', 64);
  // Dragonfly's scheduler treats any other value (Harbor 2.12 sends `single_peer`) as single_seed_peer.
  const scope = (SCOPES as readonly string[]).includes(scopeText) ? (scopeText as PreheatScope) : 'single_seed_peer';
  const ipsRaw = raw.ips === undefined || raw.ips === null ? [] : raw.ips;
  if (!Array.isArray(ipsRaw) || ipsRaw.length > 100) bad('args.ips', 'expected at most 100 IP addresses');
  const ips = ipsRaw.map((ip, i) => str(ip, `args.ips[${i}]`, 64));
  const platform = str(raw.platform, 'args.platform', 128) || defaultPlatform;
  if (!/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/.test(platform)) bad('args.platform', 'expected os/arch[/variant], e.g. linux/amd64');
  return {
    kind: 'preheat',
    type,
    url,
    urls: fileUrls,
    ...(pieceLength !== undefined ? { piece_length: pieceLength } : {}),
    tag: str(raw.tag, 'args.tag', 1024),
    application: str(raw.application, 'args.application', 1024),
    filtered_query_params: str(raw.filtered_query_params, 'args.filtered_query_params', 8192) || DEFAULT_FILTERED_QUERY_PARAMS.join('&'),
    headers: headersOf(raw.headers, 'args.headers'),
    username: str(raw.username, 'args.username', 1024),
    password: str(raw.password, 'args.password', 4096),
    platform,
    scope,
    ips,
    ...(optInt(raw.count, 'args.count', 1, 200) !== undefined ? { count: raw.count as number } : {}),
    ...(optInt(raw.percentage, 'args.percentage', 1, 100) !== undefined ? { percentage: raw.percentage as number } : {}),
    concurrent_task_count: optInt(raw.concurrent_task_count, 'args.concurrent_task_count', 1, 100) ?? DEFAULT_CONCURRENT_TASK_COUNT,
    concurrent_peer_count: optInt(raw.concurrent_peer_count, 'args.concurrent_peer_count', 1, 1000) ?? DEFAULT_CONCURRENT_PEER_COUNT,
    timeout: timeoutNs(raw.timeout, 'args.timeout', DEFAULT_PREHEAT_TIMEOUT_MS),
  };
}

/** Validates get_task / delete_task args: a `task_id`, or the `url` (+ tag, application, filters) it derives from. */
export function parseTaskRefArgs(raw: unknown): TaskRefArgsInput {
  if (!isPlainObject(raw)) bad('args', 'expected an object');
  const taskId = str(raw.task_id, 'args.task_id', 64);
  if (taskId !== '' && !/^[0-9a-f]{64}$/.test(taskId)) bad('args.task_id', 'expected 64 lower-case hex characters');
  const url = str(raw.url, 'args.url', 8192);
  if (taskId === '' && url === '') bad('args', 'task_id or url is required');
  if (url !== '') httpUrl(url, 'args.url');
  return {
    kind: 'task',
    task_id: taskId,
    url,
    tag: str(raw.tag, 'args.tag', 1024),
    application: str(raw.application, 'args.application', 1024),
    filtered_query_params: str(raw.filtered_query_params, 'args.filtered_query_params', 8192) || DEFAULT_FILTERED_QUERY_PARAMS.join('&'),
    concurrent_peer_count: optInt(raw.concurrent_peer_count, 'args.concurrent_peer_count', 1, 1000) ?? DEFAULT_CONCURRENT_PEER_COUNT,
    timeout: timeoutNs(raw.timeout, 'args.timeout', 10 * 60_000),
  };
}

/** Validates sync_peers args: only an optional `timeout` (nanoseconds). */
export function parseSyncPeersArgs(raw: unknown): SyncPeersArgsInput {
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) bad('args', 'expected an object');
  const args = (raw ?? {}) as Record<string, unknown>;
  return { kind: 'sync_peers', timeout: timeoutNs(args.timeout, 'args.timeout', DEFAULT_SYNC_PEERS_TIMEOUT_MS) };
}

/** Validates a `POST /jobs` body. */
export function parseCreateJob(body: unknown, defaultPlatform: string): CreateJobInput {
  if (!isPlainObject(body)) bad('body', 'expected a JSON object');
  const type = body.type;
  if (typeof type !== 'string' || !(JOB_TYPES as readonly string[]).includes(type)) bad('type', `unknown job type; expected one of ${JOB_TYPES.join(', ')}`);
  const args = type === 'preheat' ? parsePreheatArgs(body.args, defaultPlatform) : type === 'sync_peers' ? parseSyncPeersArgs(body.args) : parseTaskRefArgs(body.args);
  return {
    type: type as JobType,
    bio: str(body.bio, 'bio', 1024),
    schedulerClusterIds: idList(body.scheduler_cluster_ids, 'scheduler_cluster_ids'),
    seedPeerClusterIds: idList(body.seed_peer_cluster_ids, 'seed_peer_cluster_ids') ?? [],
    args,
  };
}

/** The args as stored and returned: defaults applied, header values and the password removed. */
export function publicArgs(args: PreheatArgs | TaskRefArgsInput | SyncPeersArgsInput): Record<string, unknown> {
  const { kind: _kind, ...rest } = args;
  if (args.kind !== 'preheat') return rest;
  const { password: _password, headers, ...visible } = rest as Omit<PreheatArgs, 'kind'>;
  return { ...visible, headers: Object.fromEntries(Object.keys(headers).map((name) => [name, '<redacted>'])), password: '' };
}

/** `os/arch` of this process, in Go's spelling, for `args.platform` defaults. */
export function hostPlatform(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return `${process.platform}/${arch}`;
}

/**
 * The preheat form's state and the `POST /api/v1/jobs` body it becomes, in Dragonfly's `CreateJobRequest`
 * shape (spec 9.2): `{type: "preheat", bio, args: PreheatArgs, scheduler_cluster_ids}`. Every check mirrors a
 * limit of Dragonfly's `PreheatArgs`, so the user sees the problem before the manager refuses it.
 */
import { splitList } from './format';

export type PreheatScope = 'single_seed_peer' | 'all_seed_peers' | 'all_peers';
/** How hosts are picked for the `all_*` scopes: every host, listed IPs, a count, or a percentage. */
export type PreheatTarget = 'all' | 'ips' | 'count' | 'percentage';

/** What the form holds; every field is text as typed. */
export interface PreheatForm {
  type: 'image' | 'file';
  url: string;
  /** File preheats: more URLs, one per line. */
  urls: string;
  bio: string;
  scope: PreheatScope;
  target: PreheatTarget;
  ips: string;
  count: string;
  percentage: string;
  /** Piece length in MiB (4–64); empty for the daemon's choice. */
  pieceLengthMiB: string;
  tag: string;
  application: string;
  filteredQueryParams: string;
  /** Request headers, one `Name: value` per line. */
  headers: string;
  username: string;
  password: string;
  /** `os/arch`, image preheats only. */
  platform: string;
  concurrentTaskCount: string;
  concurrentPeerCount: string;
  /** Timeout in minutes. */
  timeoutMinutes: string;
  /** Target scheduler clusters; none = all clusters. */
  clusterIds: number[];
}

/** An empty form: an image preheat to one seed peer in every cluster. */
export function emptyPreheatForm(): PreheatForm {
  return {
    type: 'image',
    url: '',
    urls: '',
    bio: '',
    scope: 'single_seed_peer',
    target: 'all',
    ips: '',
    count: '',
    percentage: '',
    pieceLengthMiB: '',
    tag: '',
    application: '',
    filteredQueryParams: '',
    headers: '',
    username: '',
    password: '',
    platform: '',
    concurrentTaskCount: '',
    concurrentPeerCount: '',
    timeoutMinutes: '',
    clusterIds: [],
  };
}

/** The request body, or the problems keyed by form field. */
export type PreheatRequest = { ok: true; body: { type: 'preheat'; bio?: string; args: Record<string, unknown>; scheduler_cluster_ids?: number[] } } | { ok: false; errors: Partial<Record<keyof PreheatForm, string>> };

const MANIFEST_URL = /^(.*):\/\/(.*)\/v2\/(.*)\/manifests\/(.*)$/;

function intIn(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text.trim());
  return value >= min && value <= max ? value : undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Parses `Name: value` lines; undefined when a line has no colon or an empty name. */
export function parseHeaders(text: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf(':');
    if (at <= 0 || line.slice(0, at).trim() === '') return undefined;
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return headers;
}

/**
 * The job request for a filled form. Optional fields are sent only when filled; numbers are checked against
 * Dragonfly's limits; `ips` > `count` > `percentage` (only the chosen one is sent, for the `all_*` scopes).
 */
export function buildPreheatRequest(form: PreheatForm): PreheatRequest {
  const errors: Partial<Record<keyof PreheatForm, string>> = {};
  const args: Record<string, unknown> = { type: form.type, scope: form.scope };
  const url = form.url.trim();
  if (url === '') errors.url = 'required';
  else if (!isHttpUrl(url)) errors.url = 'expected an http:// or https:// URL';
  else if (form.type === 'image' && !MANIFEST_URL.test(url)) errors.url = 'expected an image manifest URL: <scheme>://<registry>/v2/<repository>/manifests/<tag or digest>';
  else args.url = url;

  if (form.type === 'file') {
    const urls = splitList(form.urls);
    const bad = urls.find((entry) => !isHttpUrl(entry));
    if (bad !== undefined) errors.urls = `not an http(s) URL: ${bad}`;
    else if (urls.length > 0) args.urls = urls;
  }
  if (form.type === 'image' && form.platform.trim() !== '') {
    if (!/^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)?$/i.test(form.platform.trim())) errors.platform = 'expected os/arch, for example linux/amd64';
    else args.platform = form.platform.trim();
  }

  if (form.scope !== 'single_seed_peer') {
    if (form.target === 'ips') {
      const ips = splitList(form.ips);
      if (ips.length < 1 || ips.length > 100) errors.ips = 'list 1 to 100 IP addresses';
      else args.ips = ips;
    } else if (form.target === 'count') {
      const count = intIn(form.count, 1, 200);
      if (count === undefined) errors.count = 'expected a whole number from 1 to 200';
      else args.count = count;
    } else if (form.target === 'percentage') {
      const percentage = intIn(form.percentage, 1, 100);
      if (percentage === undefined) errors.percentage = 'expected a whole number from 1 to 100';
      else args.percentage = percentage;
    }
  }

  if (form.pieceLengthMiB.trim() !== '') {
    const mib = intIn(form.pieceLengthMiB, 4, 64);
    if (mib === undefined) errors.pieceLengthMiB = 'expected a whole number of MiB from 4 to 64';
    else args.piece_length = mib * 1024 * 1024;
  }
  for (const [key, arg] of [
    ['tag', 'tag'],
    ['application', 'application'],
    ['filteredQueryParams', 'filtered_query_params'],
    ['username', 'username'],
    ['password', 'password'],
  ] as const) {
    if (form[key].trim() !== '') args[arg] = key === 'password' ? form[key] : form[key].trim();
  }
  if (form.headers.trim() !== '') {
    const headers = parseHeaders(form.headers);
    if (headers === undefined) errors.headers = 'one "Name: value" per line';
    else args.headers = headers;
  }
  if (form.concurrentTaskCount.trim() !== '') {
    const value = intIn(form.concurrentTaskCount, 1, 100);
    if (value === undefined) errors.concurrentTaskCount = 'expected a whole number from 1 to 100';
    else args.concurrent_task_count = value;
  }
  if (form.concurrentPeerCount.trim() !== '') {
    const value = intIn(form.concurrentPeerCount, 1, 1000);
    if (value === undefined) errors.concurrentPeerCount = 'expected a whole number from 1 to 1000';
    else args.concurrent_peer_count = value;
  }
  if (form.timeoutMinutes.trim() !== '') {
    const minutes = intIn(form.timeoutMinutes, 1, 24 * 60);
    if (minutes === undefined) errors.timeoutMinutes = 'expected a whole number of minutes from 1 to 1440';
    // Go's time.Duration in JSON: nanoseconds, as Dragonfly's PreheatArgs.Timeout.
    else args.timeout = minutes * 60 * 1_000_000_000;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const body: { type: 'preheat'; bio?: string; args: Record<string, unknown>; scheduler_cluster_ids?: number[] } = { type: 'preheat', args };
  if (form.bio.trim() !== '') body.bio = form.bio.trim();
  if (form.clusterIds.length > 0) body.scheduler_cluster_ids = [...form.clusterIds];
  return { ok: true, body };
}

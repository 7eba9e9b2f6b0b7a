/**
 * The JSON documents stored in manager columns, in Dragonfly's shapes (`manager/types/*.go`), and their
 * validators. Every validator bounds sizes and names the offending field.
 */
import { isIP } from 'node:net';

import { invalid, isPlainObject } from './fieldSpec.js';

/** Scheduler cluster `config`: scheduling limits handed to its schedulers. */
export interface SchedulerClusterConfig {
  candidate_parent_limit?: number;
  filter_parent_limit?: number;
  job_rate_limit?: number;
}

/** Scheduler cluster `client_config` / `seed_client_config`: limits handed to its peers. */
export interface SchedulerClusterClientConfig {
  load_limit?: number;
  concurrent_piece_count?: number;
  /** Downloads the cluster's dfdaemons refuse (Dragonfly's client block list); any matching field blocks. */
  block_list?: { task?: { download?: DownloadBlockList } };
}

/** `block_list.task.download`. */
export interface DownloadBlockList {
  applications?: string[];
  /** Regular expressions matched against the download URL. */
  urls?: string[];
  tags?: string[];
  /** Priority levels 0..6. */
  priorities?: number[];
}

/** Scheduler cluster `scopes`: which clients the searcher sends to this cluster (spec 9.5). */
export interface SchedulerClusterScopes {
  idc?: string;
  location?: string;
  cidrs?: string[];
  hostnames?: string[];
}

/** Seed peer cluster `config`. */
export interface SeedPeerClusterConfig {
  load_limit?: number;
}

/** One url rule of an application priority. */
export interface URLPriority {
  regex: string;
  value: number;
}

/** Application `priority`: the default level and url rules (first match wins). */
export interface ApplicationPriority {
  value: number;
  urls?: URLPriority[];
}

/** Most entries in a scopes list, an application's url rules, or a feature list. */
export const MAX_LIST_ENTRIES = 100;
/** Longest regular expression accepted in scopes and priorities. */
export const MAX_REGEX_LENGTH = 1024;

function intIn(value: unknown, path: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) invalid(path, `expected an integer ${min}..${max}`);
}

function objectWith(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) invalid(path, 'expected a JSON object');
  for (const key of Object.keys(value)) if (!keys.includes(key)) invalid(`${path}.${key}`, `unknown key (known: ${keys.join(', ')})`);
  return value;
}

function stringList(value: unknown, path: string, check: (entry: string, at: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length > MAX_LIST_ENTRIES) invalid(path, `expected a list of at most ${MAX_LIST_ENTRIES} strings`);
  value.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry.length === 0 || entry.length > MAX_REGEX_LENGTH) invalid(`${path}[${i}]`, `expected a non-empty string of at most ${MAX_REGEX_LENGTH} characters`);
    check(entry, `${path}[${i}]`);
  });
}

function shortString(value: unknown, path: string, max = 1024): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > max) invalid(path, `expected a string of at most ${max} characters`);
}

/** True if `text` is an IPv4/IPv6 CIDR such as `10.0.0.0/8` (or a bare address). */
export function isCidr(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  if (extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function regex(entry: string, at: string): void {
  try {
    new RegExp(entry);
  } catch {
    invalid(at, 'expected a valid regular expression');
  }
}

/** Validates a scheduler cluster `config`. */
export function validateSchedulerClusterConfig(value: unknown, path: string): void {
  const config = objectWith(value, path, ['candidate_parent_limit', 'filter_parent_limit', 'job_rate_limit']);
  intIn(config.candidate_parent_limit, `${path}.candidate_parent_limit`, 1, 20);
  intIn(config.filter_parent_limit, `${path}.filter_parent_limit`, 10, 1000);
  intIn(config.job_rate_limit, `${path}.job_rate_limit`, 1, 1_000_000);
}

/** Validates a scheduler cluster `client_config` or `seed_client_config`. */
export function validateClientConfig(value: unknown, path: string): void {
  const config = objectWith(value, path, ['load_limit', 'concurrent_piece_count', 'block_list']);
  intIn(config.load_limit, `${path}.load_limit`, 1, 50_000);
  intIn(config.concurrent_piece_count, `${path}.concurrent_piece_count`, 1, 50);
  if (config.block_list !== undefined) validateBlockList(config.block_list, `${path}.block_list`);
}

function validateBlockList(value: unknown, path: string): void {
  const blockList = objectWith(value, path, ['task']);
  if (blockList.task === undefined) return;
  const task = objectWith(blockList.task, `${path}.task`, ['download']);
  if (task.download === undefined) return;
  const at = `${path}.task.download`;
  const download = objectWith(task.download, at, ['applications', 'urls', 'tags', 'priorities']);
  stringList(download.applications, `${at}.applications`, () => undefined);
  stringList(download.urls, `${at}.urls`, regex);
  stringList(download.tags, `${at}.tags`, () => undefined);
  if (download.priorities === undefined) return;
  if (!Array.isArray(download.priorities) || download.priorities.length > 7) invalid(`${at}.priorities`, 'expected a list of priority levels 0..6');
  download.priorities.forEach((level, i) => {
    if (level === undefined) invalid(`${at}.priorities[${i}]`, 'required');
    intIn(level, `${at}.priorities[${i}]`, 0, 6);
  });
}

/** Validates scheduler cluster `scopes`: CIDRs must parse, hostnames must be valid regular expressions. */
export function validateScopes(value: unknown, path: string): void {
  const scopes = objectWith(value, path, ['idc', 'location', 'cidrs', 'hostnames']);
  shortString(scopes.idc, `${path}.idc`);
  shortString(scopes.location, `${path}.location`);
  stringList(scopes.cidrs, `${path}.cidrs`, (entry, at) => {
    if (!isCidr(entry)) invalid(at, 'expected a CIDR such as 10.0.0.0/8');
  });
  stringList(scopes.hostnames, `${path}.hostnames`, regex);
}

/** Validates a seed peer cluster `config`. */
export function validateSeedPeerClusterConfig(value: unknown, path: string): void {
  const config = objectWith(value, path, ['load_limit']);
  intIn(config.load_limit, `${path}.load_limit`, 1, 50_000);
}

/** Validates a scheduler's `features` (a list of names such as `schedule`, `preheat`). */
export function validateFeatures(value: unknown, path: string): void {
  if (!Array.isArray(value)) invalid(path, 'expected a list of feature names');
  stringList(value, path, (entry, at) => {
    if (!/^[a-z_][a-z0-9_-]{0,63}$/.test(entry)) invalid(at, 'expected a feature name');
  });
}

/** Validates a scheduler's own `config` (any JSON object). */
export function validateAnyObject(value: unknown, path: string): void {
  if (!isPlainObject(value)) invalid(path, 'expected a JSON object');
}

/** Validates an application `priority`: level 0..6 and at most `MAX_LIST_ENTRIES` url rules. */
export function validatePriority(value: unknown, path: string): void {
  const priority = objectWith(value, path, ['value', 'urls']);
  if (priority.value === undefined) invalid(`${path}.value`, 'required');
  intIn(priority.value, `${path}.value`, 0, 6);
  if (priority.urls === undefined) return;
  if (!Array.isArray(priority.urls) || priority.urls.length > MAX_LIST_ENTRIES) invalid(`${path}.urls`, `expected a list of at most ${MAX_LIST_ENTRIES} rules`);
  priority.urls.forEach((rule, i) => {
    const at = `${path}.urls[${i}]`;
    const entry = objectWith(rule, at, ['regex', 'value']);
    if (typeof entry.regex !== 'string' || entry.regex.length === 0 || entry.regex.length > MAX_REGEX_LENGTH) invalid(`${at}.regex`, 'expected a regular expression');
    regex(entry.regex, `${at}.regex`);
    if (entry.value === undefined) invalid(`${at}.value`, 'required');
    intIn(entry.value, `${at}.value`, 0, 6);
  });
}

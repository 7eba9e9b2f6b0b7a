/**
 * The client block list a scheduler cluster hands its dfdaemons (Dragonfly's `client_config.block_list`, and
 * `seed_client_config.block_list` for seed peers): downloads whose URL matches one of `urls` (regular
 * expressions), or whose application, tag or priority is listed, are refused before anything is fetched.
 * Only `task.download` applies here.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import { redactUrl } from '../../common/ids.js';

/** A parsed `block_list.task.download`. */
export interface DownloadBlockList {
  readonly applications: ReadonlySet<string>;
  /** URL rules as written, with their compiled form. */
  readonly urls: readonly { readonly source: string; readonly pattern: RegExp }[];
  readonly tags: ReadonlySet<string>;
  readonly priorities: ReadonlySet<number>;
}

/** What a download is checked with. */
export interface BlockListSubject {
  readonly url: string;
  readonly application?: string;
  readonly tag?: string;
  readonly priority?: number;
}

/**
 * Reads `block_list.task.download` from a cluster's client config (the JSON object the manager sends). Returns
 * undefined when there is none; entries of the wrong type and invalid regexes are skipped and named in `skipped`
 * (the manager validates them on write, so this only guards against a hand-edited database).
 */
export function parseDownloadBlockList(clientConfig: unknown, skipped: string[] = []): DownloadBlockList | undefined {
  const download = field(field(field(clientConfig, 'block_list'), 'task'), 'download');
  if (download === undefined) return undefined;
  const strings = (name: string) => {
    const value = field(download, name);
    if (!Array.isArray(value)) return [];
    return value.filter((entry): entry is string => {
      const ok = typeof entry === 'string' && entry.length > 0;
      if (!ok) skipped.push(`${name}: ${JSON.stringify(entry)}`);
      return ok;
    });
  };
  const urls: { source: string; pattern: RegExp }[] = [];
  for (const source of strings('urls')) {
    try {
      urls.push({ source, pattern: new RegExp(source) });
    } catch {
      skipped.push(`urls: ${JSON.stringify(source)}`);
    }
  }
  const levels = field(download, 'priorities');
  const priorities = Array.isArray(levels) ? levels.filter((level): level is number => Number.isInteger(level)) : [];
  const list = { applications: new Set(strings('applications')), urls, tags: new Set(strings('tags')), priorities: new Set(priorities) };
  const empty = list.applications.size === 0 && urls.length === 0 && list.tags.size === 0 && list.priorities.size === 0;
  return empty ? undefined : list;
}

/** Why `subject` is blocked by `list` (the first matching field), or undefined when it is not. */
export function blockedBy(list: DownloadBlockList | undefined, subject: BlockListSubject): string | undefined {
  if (!list) return undefined;
  const url = list.urls.find((rule) => rule.pattern.test(subject.url));
  if (url) return `url matches ${JSON.stringify(url.source)}`;
  if (subject.application && list.applications.has(subject.application)) return `application ${JSON.stringify(subject.application)}`;
  if (subject.tag && list.tags.has(subject.tag)) return `tag ${JSON.stringify(subject.tag)}`;
  if (subject.priority !== undefined && list.priorities.has(subject.priority)) return `priority ${subject.priority}`;
  return undefined;
}

/** Throws PERMISSION_DENIED naming the rule when `subject` is blocked. */
export function assertNotBlocked(list: DownloadBlockList | undefined, subject: BlockListSubject): void {
  const reason = blockedBy(list, subject);
  if (reason) throw createError(ErrorCodes.PERMISSION_DENIED, `download of ${redactUrl(subject.url)} is blocked by the cluster's block list (${reason})`);
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

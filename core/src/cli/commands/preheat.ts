/**
 * `d7y preheat`: for CI pipelines. Creates a preheat job through the manager's open API with a personal access
 * token (`--token`, else `$D7Y_PAT`, else `$DRAGONFLY_PAT`), polls it until SUCCESS or FAILURE, prints one line
 * per host and URL, and exits 0 on SUCCESS, 1 on FAILURE or when `--wait` runs out.
 */
import { createError, ErrorCodes } from '../../common/errors.js';
import { parseDuration } from '../../common/units.js';

/** Flags of the command. */
export interface PreheatFlags {
  manager: string;
  url: string;
  token?: string;
  type?: string;
  scope?: string;
  platform?: string;
  username?: string;
  password?: string;
  header?: string[];
  clusterId?: string[];
  ips?: string[];
  count?: string;
  percentage?: string;
  tag?: string;
  application?: string;
  wait?: string;
  pollInterval?: string;
  json?: boolean;
}

interface JobAnswer {
  id: number;
  state: string;
  result?: { job_states?: Array<{ error?: string; results?: Array<{ scheduler_cluster_id?: number; success_tasks?: Array<Record<string, string>>; failure_tasks?: Array<Record<string, string>> }> }> } | null;
}

/** The request body for the flags (Dragonfly's `CreateJobRequest`). */
export function preheatBody(flags: PreheatFlags): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const header of flags.header ?? []) {
    const at = header.indexOf(':');
    if (at <= 0) throw createError(ErrorCodes.INVALID_ARGUMENT, `--header ${JSON.stringify(header)}: expected "Name: value"`);
    headers[header.slice(0, at).trim()] = header.slice(at + 1).trim();
  }
  const int = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    if (!/^[0-9]+$/.test(value)) throw createError(ErrorCodes.INVALID_ARGUMENT, `--${name}: expected a whole number`);
    return Number(value);
  };
  const clusterIds = (flags.clusterId ?? []).map((id) => int(id, 'cluster-id')!);
  return {
    type: 'preheat',
    args: {
      type: flags.type ?? 'image',
      url: flags.url,
      scope: flags.scope ?? 'single_seed_peer',
      ...(flags.platform ? { platform: flags.platform } : {}),
      ...(flags.username ? { username: flags.username, password: flags.password ?? '' } : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(flags.ips?.length ? { ips: flags.ips } : {}),
      ...(flags.count ? { count: int(flags.count, 'count') } : {}),
      ...(flags.percentage ? { percentage: int(flags.percentage, 'percentage') } : {}),
      ...(flags.tag ? { tag: flags.tag } : {}),
      ...(flags.application ? { application: flags.application } : {}),
    },
    scheduler_cluster_ids: clusterIds.length > 0 ? clusterIds : null,
  };
}

/** One line per host and URL of a finished job. */
export function formatResults(job: JobAnswer): string[] {
  const lines: string[] = [];
  for (const state of job.result?.job_states ?? []) {
    for (const result of state.results ?? []) {
      for (const ok of result.success_tasks ?? []) lines.push(`SUCCESS cluster=${result.scheduler_cluster_id ?? ''} ${ok.hostname ?? ''} ${ok.ip ?? ''} ${ok.url ?? ok.task_id ?? ''}`);
      for (const bad of result.failure_tasks ?? []) lines.push(`FAILURE cluster=${result.scheduler_cluster_id ?? ''} ${bad.hostname ?? ''} ${bad.ip ?? ''} ${bad.url ?? bad.task_id ?? ''}: ${bad.description ?? ''}`);
    }
    if (state.error) lines.push(`ERROR ${state.error}`);
  }
  return lines;
}

async function call(method: string, url: string, token: string, body?: unknown): Promise<JobAnswer> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw createError(ErrorCodes.UNAVAILABLE, `${method} ${new URL(url).pathname}: manager answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as JobAnswer;
}

/** Runs the command; resolves with the exit code. */
export async function preheatCommand(flags: PreheatFlags, out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const token = flags.token ?? process.env.D7Y_PAT ?? process.env.DRAGONFLY_PAT;
  if (!token) throw createError(ErrorCodes.INVALID_ARGUMENT, 'a personal access token with scope job is needed: --token, $D7Y_PAT or $DRAGONFLY_PAT');
  const base = flags.manager.replace(/\/+$/, '');
  const waitMs = parseDuration(flags.wait ?? '30m');
  const pollMs = parseDuration(flags.pollInterval ?? '2s');
  const created = await call('POST', `${base}/oapi/v1/jobs`, token, preheatBody(flags));
  if (!flags.json) out(`job ${created.id} created; waiting for it (up to ${flags.wait ?? '30m'})`);
  const deadline = Date.now() + waitMs;
  let job = created;
  while (job.state === 'PENDING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    job = await call('GET', `${base}/oapi/v1/jobs/${created.id}`, token);
  }
  if (flags.json) out(JSON.stringify(job));
  else {
    for (const line of formatResults(job)) out(line);
    out(`job ${job.id}: ${job.state === 'PENDING' ? 'still PENDING after --wait' : job.state}`);
  }
  return job.state === 'SUCCESS' ? 0 : 1;
}

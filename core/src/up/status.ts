/**
 * The status table of `d7y up`: one row per role process, read from the roles' own endpoints (`/metrics`,
 * `/healthy`), so it shows what an operator's Prometheus would see: tasks, and bytes by where they came from.
 */
import { metricValue } from '../common/promText.js';
import { formatBytes } from '../dfget/progress.js';
import { httpReady, httpText } from './roleProcess.js';

/** Where to read one role's status. */
export interface StatusSource {
  role: 'manager' | 'scheduler' | 'seed-peer' | 'peer';
  name: string;
  /** Ports shown in the table, e.g. `grpc 8002  metrics 8000`. */
  ports: string;
  /** Metrics port (scheduler, peers) and health path port (manager REST, peers). */
  metricsPort?: number;
  health?: { port: number; path: string };
}

/** One row of the table. */
export interface StatusRow {
  name: string;
  ports: string;
  up: boolean;
  /** Download tasks run (peers) or peers registered (scheduler). */
  tasks: number | undefined;
  /** Tasks downloading now. */
  running: number | undefined;
  backToSource: number | undefined;
  remotePeer: number | undefined;
  localPeer: number | undefined;
  /** Bytes served to other peers. */
  uploaded: number | undefined;
}

/** Reads every source once. */
export async function collectStatus(sources: readonly StatusSource[]): Promise<StatusRow[]> {
  return Promise.all(sources.map(readOne));
}

async function readOne(source: StatusSource): Promise<StatusRow> {
  const text = source.metricsPort ? await httpText(source.metricsPort, '/metrics') : '';
  const healthy = source.health ? await httpReady(source.health.port, source.health.path) : text !== '';
  const row: StatusRow = { name: source.name, ports: source.ports, up: healthy, tasks: undefined, running: undefined, backToSource: undefined, remotePeer: undefined, localPeer: undefined, uploaded: undefined };
  if (!text) return row;
  if (source.role === 'scheduler') {
    const traffic = (type: string) => metricValue(text, 'dragonfly_scheduler_traffic', { type }) ?? 0;
    return {
      ...row,
      tasks: metricValue(text, 'dragonfly_scheduler_register_peer_total') ?? 0,
      running: metricValue(text, 'dragonfly_scheduler_concurrent_schedule_total') ?? 0,
      backToSource: traffic('back_to_source'),
      remotePeer: traffic('remote_peer'),
      localPeer: traffic('local_peer'),
    };
  }
  const traffic = (type: string) => metricValue(text, 'dragonfly_client_download_traffic', { type }) ?? 0;
  return {
    ...row,
    tasks: metricValue(text, 'dragonfly_client_download_task_total') ?? 0,
    running: metricValue(text, 'dragonfly_client_concurrent_download_task_total') ?? 0,
    backToSource: traffic('back_to_source'),
    remotePeer: traffic('remote_peer'),
    localPeer: traffic('local_peer'),
    uploaded: metricValue(text, 'dragonfly_client_upload_traffic') ?? 0,
  };
}

const COLUMNS = ['ROLE', 'STATE', 'PORTS', 'TASKS', 'RUNNING', 'BACK-TO-SOURCE', 'REMOTE-PEER', 'LOCAL-PEER', 'UPLOADED'] as const;

/** The rows as an aligned text table (bytes in binary units, `-` where a role has no such value). */
export function renderStatusTable(rows: readonly StatusRow[]): string {
  const count = (value: number | undefined) => (value === undefined ? '-' : String(value));
  const bytes = (value: number | undefined) => (value === undefined ? '-' : formatBytes(value));
  const cells = rows.map((row) => [
    row.name,
    row.up ? 'up' : 'down',
    row.ports,
    count(row.tasks),
    count(row.running),
    bytes(row.backToSource),
    bytes(row.remotePeer),
    bytes(row.localPeer),
    bytes(row.uploaded),
  ]);
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: readonly string[]) => values.map((value, i) => value.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(COLUMNS), ...cells.map(line)].join('\n');
}

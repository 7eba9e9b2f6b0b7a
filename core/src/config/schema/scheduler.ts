/**
 * `scheduler.yaml`: Dragonfly's Go scheduler keys (`scheduler/config/config.go`) and defaults
 * (`scheduler/config/constants.go`), plus the few d7y additions marked as such.
 */
import { z } from 'zod';

import { goBaseOptions, goLogOptions, grpcTls, legacySecurity, redis } from './common.js';
import { bool, duration, int, ip, listenAddr, oneOf, port, positiveNumber, section, serviceAddr, str } from './fields.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const server = section({
  advertiseIP: ip().optional().describe('IP other services use to reach this scheduler; detected at start when unset.'),
  advertisePort: port().optional().describe('Port other services use to reach this scheduler; `port` when unset.'),
  listenIP: ip().optional().describe('IP the gRPC server binds; 0.0.0.0 (or :: with network.enableIPv6) when unset.'),
  port: port().default(8002).describe('gRPC listen port.'),
  host: str().optional().describe('Host name announced to the manager; the machine host name when unset.'),
  tls: grpcTls('server'),
  requestRateLimit: positiveNumber().default(4000).describe('Most gRPC requests (and new streams) per second.'),
  workHome: str().default('/usr/local/dragonfly').describe('Working directory. Empty means the default.'),
  cacheDir: str().default('/var/cache/dragonfly').describe('Cache directory (dynamic config cache). Empty means the default.'),
  ...goLogOptions(),
  pluginDir: str()
    .default('/usr/local/dragonfly/plugins')
    .describe('Directory searched for plugins; with scheduler.algorithm plugin the evaluator is loaded from here. Empty means the default.'),
  dataDir: str().default('/var/lib/dragonfly').describe('Data directory. Empty means the default.'),
}).describe('Scheduler server settings.');

const scheduler = section({
  algorithm: oneOf(['default', 'ml', 'plugin'])
    .default('default')
    .describe('Scheduling algorithm: default (rule-based), ml, or plugin (evaluator loaded from server.pluginDir).'),
  backToSourceCount: int(1).default(200).describe('Peers of one task that may download back-to-source.'),
  retryBackToSourceLimit: int(1).default(4).describe('After this many failed schedules the peer goes back-to-source.'),
  retryLimit: int(1).default(5).describe('After this many failed schedules scheduling fails.'),
  retryInterval: duration({ positive: true }).default(500).describe('Pause between scheduling attempts.'),
  records: section({
    enable: bool()
      .default(false)
      .describe('d7y addition. Keep download records (features of each chosen parent and the outcome of every piece) for `d7y train`; served as NDJSON at GET /records on the metrics port.'),
    decisionCapacity: int(1, 1_000_000).default(2000).describe('d7y addition. Scheduling decisions kept; the oldest are overwritten (fixed memory).'),
    pieceCapacity: int(1, 10_000_000).default(100_000).describe('d7y addition. Piece records kept; the oldest are overwritten (fixed memory).'),
  }).describe('d7y addition. Download records for training the ml evaluator (a bounded rolling store in memory).'),
  gc: section({
    pieceDownloadTimeout: duration({ positive: true }).default(30 * MINUTE).describe('A running peer with no piece for this long is made to leave.'),
    peerGCInterval: duration({ positive: true }).default(10 * SECOND).describe('Interval of peer garbage collection.'),
    peerTTL: duration({ positive: true }).default(24 * HOUR).describe('Time to live of a peer; reset when other peers download from it.'),
    taskGCInterval: duration({ positive: true }).default(30 * MINUTE).describe('Interval of task garbage collection.'),
    hostGCInterval: duration({ positive: true }).default(5 * MINUTE).describe('Interval of host garbage collection.'),
    hostTTL: duration({ positive: true }).default(HOUR).describe('Time to live of a host; reset by AnnounceHost.'),
  }).describe('Garbage collection of in-memory resources.'),
}).describe('Scheduling policy.');

const manager = section({
  addr: serviceAddr()
    .optional()
    .describe('Manager gRPC address (host:port). Unset: the scheduler runs without a manager and reads dynconfig from a local file.'),
  tls: grpcTls('client'),
  schedulerClusterID: int(1).default(1).describe('Scheduler cluster this scheduler belongs to.'),
  keepAlive: section({
    interval: duration({ positive: true }).default(5 * SECOND).describe('Keep-alive interval.'),
  }).describe('Keep-alive with the manager.'),
}).describe('Manager connection.');

const job = section({
  enable: bool().default(true).describe('Run the job worker (preheat, sync peers, ...).'),
  globalWorkerNum: int(1).default(500).describe('Workers for the global queue.'),
  schedulerWorkerNum: int(1).default(500).describe('Workers for the scheduler cluster queue.'),
  localWorkerNum: int(1).default(1000).describe('Workers for the local queue.'),
  redis: redis({ poolSize: 20, withDb: false }).describe('Deprecated by Dragonfly: use database.redis. Values given here fill unset database.redis keys.'),
}).describe('Asynchronous job worker.');

/** Schema of `scheduler.yaml`. */
export const SchedulerConfigSchema = z
  .object(
    {
      server,
      scheduler,
      database: section({ redis: redis({ poolSize: 20, withDb: false }) }).describe('Redis used for jobs and persistent-cache state.'),
      dynConfig: section({
        refreshInterval: duration({ positive: true }).default(MINUTE).describe('Interval for refreshing dynamic config from the manager.'),
      }).describe('Dynamic config.'),
      host: section({
        idc: str().default('').describe('IDC of this scheduler, used by the searcher.'),
        location: str().default('').describe('Location of this scheduler (|-separated), used by the searcher.'),
        netTopology: str().optional().describe('Legacy Dragonfly key (network topology was removed); accepted so older files load.'),
      }).describe('Where this scheduler runs.'),
      manager,
      seedPeer: section({
        enable: bool().default(true).describe('Trigger seed peers to download back-to-source first.'),
        tls: grpcTls('client'),
        taskDownloadTimeout: duration({ positive: true }).default(10 * HOUR).describe('Timeout of a task download by a seed peer.'),
      }).describe('Seed peers.'),
      peer: section({ tls: grpcTls('client') }).describe('Connections to peers.'),
      job,
      storage: section({
        maxSize: int(1).default(100).describe('Legacy Dragonfly key. Megabytes per download record file.'),
        maxBackups: int(0).default(10).describe('Legacy Dragonfly key. Record files kept.'),
        bufferSize: int(1).default(100).describe('Legacy Dragonfly key. Records buffered before a write.'),
      }).describe('Legacy Dragonfly key (download records); accepted so older files load.'),
      metrics: section({
        enable: bool().default(false).describe('Serve Prometheus metrics.'),
        addr: listenAddr().default(':8000').describe('Metrics listen address.'),
        enableHost: bool().default(false).describe('Export per-host metrics.'),
        enablePeerHost: bool().optional().describe('Legacy Dragonfly key (now enableHost); accepted so older files load.'),
      }).describe('Prometheus metrics.'),
      security: legacySecurity({
        dnsNames: ['dragonfly-scheduler', 'dragonfly-scheduler.dragonfly-system.svc', 'dragonfly-scheduler.dragonfly-system.svc.cluster.local'],
        validityPeriodMs: 180 * 24 * HOUR,
      }),
      ...goBaseOptions('dragonfly-scheduler'),
    },
    { error: 'mapping' },
  )
  .describe('Scheduler configuration (scheduler.yaml).');

/** The scheduler config as parsed (before freezing). */
export type SchedulerConfigData = z.output<typeof SchedulerConfigSchema>;

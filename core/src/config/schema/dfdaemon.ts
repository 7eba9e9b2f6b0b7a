/**
 * `dfdaemon.yaml`: the Rust client's keys (`dragonfly-client-config/src/dfdaemon.rs`) and defaults, plus the
 * few d7y additions marked as such. Older spellings (`rateLimit`, `dist*`) are accepted by `../convert.ts`.
 */
import { z } from 'zod';

import { DEFAULT_FILTERED_QUERY_PARAMS } from '../../common/ids.js';
import { egress, network, plugins, tracing } from './common.js';
import {
  bool,
  boundedString,
  duration,
  hostPort,
  httpUrl,
  int,
  ip,
  list,
  nonEmpty,
  oneOf,
  optionalSection,
  port,
  regex,
  section,
  serviceAddr,
  size,
  str,
  stringMap,
} from './fields.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const KiB = 1024;
const MiB = 1024 * KiB;
const GB = 1e9;

/** Listen address of one of dfdaemon's small HTTP servers. */
function httpServer(what: string, defaultPort: number) {
  return section({
    ip: ip().optional().describe(`IP the ${what} server binds; 0.0.0.0 (or :: with network.enableIPv6) when unset.`),
    port: port().default(defaultPort).describe(`Port of the ${what} server.`),
  }).describe(`${what[0]!.toUpperCase()}${what.slice(1)} server.`);
}

/** Optional mTLS file paths, used when all three are given. */
function tlsFiles(side: string) {
  return {
    caCert: str().optional().describe(`CA certificate file (PEM) for mTLS with the ${side}.`),
    cert: str().optional().describe(`Certificate file (PEM) for mTLS with the ${side}.`),
    key: str().optional().describe(`Private key file (PEM) for mTLS with the ${side}.`),
  };
}

const host = section({
  idc: str().optional().describe('IDC of this host, used to pick a scheduler cluster.'),
  location: str().optional().describe('Location of this host (|-separated), used to pick a scheduler cluster.'),
  hostname: str().optional().describe('Host name announced to schedulers; the machine host name when unset.'),
  ip: ip().optional().describe('IP announced to schedulers and peers; detected at start when unset.'),
  schedulerClusterID: int(1)
    .optional()
    .describe('Use the schedulers of this cluster; when set, idc, location, hostname and ip are not used to pick schedulers.'),
}).describe('This host.');

const server = section({
  pluginDir: str()
    .default('/usr/local/lib/dragonfly/plugins/dfdaemon')
    .describe('Plugin directory; back-to-source plugins are loaded from <pluginDir>/backend/ and keyed by URL scheme.'),
  cacheDir: str().default('/var/cache/dragonfly/dfdaemon').describe('Cache directory (dynamic config cache).'),
  adaptiveRateLimit: section({
    bucketCount: int(1).default(50).describe('Buckets in the rolling window.'),
    bucketInterval: duration({ positive: true }).default(200).describe('Length of one bucket.'),
    cpuThreshold: int(0, 100).default(100).describe('CPU usage percent above which the host is overloaded; 100 ignores CPU.'),
    memoryThreshold: int(0, 100).default(90).describe('Memory usage percent above which the host is overloaded; 100 ignores memory.'),
    shedCooldown: duration().default(5 * SECOND).describe('Keep shedding for this long after the first drop.'),
    collectInterval: duration({ positive: true }).default(3 * SECOND).describe('How often CPU and memory usage are sampled.'),
  }).describe('BBR-style adaptive load shedding for the gRPC servers.'),
}).describe('Server directories and shared server settings.');

const download = section({
  server: section({
    socketPath: nonEmpty().default('/var/run/dragonfly/dfdaemon.sock').describe('Unix socket of the download gRPC service (dfget talks to it).'),
    requestRateLimit: int(1).default(400).describe('Most requests per second on the download gRPC server.'),
    requestBufferSize: int(1).default(50).describe('Queued requests before new ones get RESOURCE_EXHAUSTED.'),
  }).describe('Download gRPC server (Unix socket).'),
  protocol: oneOf(['tcp', 'quic']).default('tcp').describe('Protocol peers use to fetch pieces from this host.'),
  bandwidthLimit: size().default(50 * GB).describe('Download bandwidth limit per second (e.g. 50GB). Older files spell it rateLimit.'),
  backToSourceBandwidthLimit: size().default(50 * GB).describe('Back-to-source bandwidth limit per second; source bytes also count against bandwidthLimit.'),
  pieceTimeout: duration({ positive: true }).default(360 * SECOND).describe('Timeout for downloading one piece.'),
  collectedPieceTimeout: duration({ positive: true }).default(360 * SECOND).describe('Timeout for collecting one piece from a parent.'),
  concurrentPieceCount: int(1).default(8).describe('Pieces downloaded at the same time.'),
  parentSelector: section({
    enable: bool().default(false).describe('Pick parents by their announced load.'),
    syncInterval: duration({ positive: true }).default(3 * SECOND).describe('Interval of load syncs with parents.'),
    capacity: int(1).default(20).describe('Parents tracked at once.'),
  }).describe('Client-side parent selection (Dragonfly client option).'),
}).describe('Downloading.');

const upload = section({
  server: section({
    ip: ip().optional().describe('IP the upload gRPC server binds; 0.0.0.0 (or :: with network.enableIPv6) when unset.'),
    port: port().default(4000).describe('Port of the upload gRPC server (scheduler and peers call it).'),
    ...tlsFiles('scheduler and peers'),
    requestRateLimit: int(1).default(400).describe('Most requests per second on the upload gRPC server.'),
    requestBufferSize: int(1).default(50).describe('Queued requests before new ones get RESOURCE_EXHAUSTED.'),
  }).describe('Upload gRPC server.'),
  client: section(tlsFiles('other peers\' upload servers')).describe('Client side of calls to other peers.'),
  disableShared: bool().default(false).describe('Do not serve pieces to other peers.'),
  bandwidthLimit: size().default(50 * GB).describe('Upload bandwidth limit per second. Older files spell it rateLimit.'),
}).describe('Serving pieces to other peers.');

const scheduler = section({
  announceInterval: duration({ positive: true }).default(5 * MINUTE).describe('Interval of AnnounceHost to the schedulers.'),
  scheduleTimeout: duration({ positive: true }).default(3 * HOUR).describe('Longest wait for the scheduler to answer a registration or a reschedule; past it the next scheduler is tried, then the source.'),
  maxScheduleCount: int(1).default(5).describe('Most scheduling rounds for one download.'),
  enableBackToSource: bool().default(true).describe('Download from the source when scheduling fails.'),
  ...tlsFiles('schedulers'),
  netAddrs: list(hostPort())
    .default([])
    .describe('d7y addition. Scheduler addresses (host:port) used when manager.addr is unset; tasks are spread over them by consistent hash of the task id.'),
}).describe('Schedulers.');

const seedPeer = section({
  enable: bool().default(false).describe('Run as a seed peer.'),
  type: oneOf(['super', 'strong', 'weak', 'normal']).default('super').describe('Host type announced when enable is true.'),
  clusterID: int(1).optional().describe('Legacy Dragonfly key (seed peers no longer register with the manager); accepted so older files load.'),
  keepaliveInterval: duration({ positive: true }).optional().describe('Legacy Dragonfly key; accepted so older files load.'),
  server: optionalSection({
    ip: ip().optional().describe('Listen IP.'),
    tcpPort: port().optional().describe('TCP port of the piece server; storage.server.tcpPort is the one d7y uses.'),
    quicPort: port().optional().describe('QUIC port of the piece server; storage.server.quicPort is the one d7y uses.'),
  }).describe('Seed peer piece server ports, as shown in Dragonfly\'s example; storage.server is authoritative.'),
}).describe('Seed peer mode.');

const storage = section({
  server: section({
    ip: ip().optional().describe('IP the piece server binds; 0.0.0.0 (or :: with network.enableIPv6) when unset.'),
    tcpPort: port().default(4005).describe('TCP port of the piece server.'),
    quicPort: port().default(4006).describe('QUIC port of the piece server.'),
    tcpFastopen: bool().default(false).describe('Enable TCP Fast Open on the piece server.'),
  }).describe('Piece server (data plane).'),
  dir: nonEmpty().default('/var/lib/dragonfly').describe('Directory for task metadata and content.'),
  keep: bool().default(false).describe('Keep stored tasks when dfdaemon restarts.'),
  writePieceTimeout: duration({ positive: true }).default(360 * SECOND).describe('Timeout for writing one piece.'),
  writeBufferSize: size().default(512 * KiB).describe('Buffer size for writing pieces.'),
  readBufferSize: size().default(512 * KiB).describe('Buffer size for reading pieces.'),
  cacheCapacity: size().default(64 * MiB).describe('Memory cache capacity for CACHE tasks.'),
  writebackMode: oneOf(['sync', 'async', 'off']).default('async').describe('How written ranges are flushed to disk.'),
}).describe('Local piece storage.');

const gc = section({
  interval: duration({ positive: true }).default(900 * SECOND).describe('Interval of storage garbage collection.'),
  policy: section({
    taskTTL: duration({ positive: true }).default(30 * DAY).describe('Tasks not used for this long are evicted.'),
    persistentTaskTTL: duration({ positive: true }).default(DAY).describe('TTL of persistent tasks whose request has none.'),
    persistentCacheTaskTTL: duration({ positive: true }).default(DAY).describe('TTL of persistent cache tasks whose request has none.'),
    pageCacheIdleTimeout: duration({ positive: true }).default(40 * MINUTE).describe('Drop page cache of finished tasks idle this long.'),
    diskThreshold: size().default(0).describe('Capacity the percentages refer to; 0 means the whole disk. Older files spell it distThreshold.'),
    diskHighThresholdPercent: int(1, 99).default(80).describe('Disk usage percent that starts eviction. Older files spell it distHighThresholdPercent.'),
    diskLowThresholdPercent: int(1, 99).default(60).describe('Disk usage percent eviction brings usage down to. Older files spell it distLowThresholdPercent.'),
  }).describe('What is evicted and when.'),
}).describe('Storage garbage collection.');

const proxyRule = z
  .object(
    {
      regex: regex().describe('Regular expression matched against the request URL (without query and fragment).'),
      useTLS: bool().default(false).describe('Use https to the upstream.'),
      redirect: str().optional().describe('Replace the URL authority with this one.'),
      filteredQueryParams: list(str())
        .default([...DEFAULT_FILTERED_QUERY_PARAMS])
        .describe('Query parameters ignored when computing the task id; default: the signing parameters of S3, GCS, OSS, OBS, COS and containerd ns.'),
      schedulingPolicy: oneOf(['auto', 'always'])
        .default('auto')
        .describe('auto: small files go straight to the source; always: always through the scheduler.'),
    },
    { error: 'mapping' },
  )
  .describe('One proxy rule.');

const proxy = section({
  server: section({
    ip: ip().optional().describe('IP the proxy binds; 127.0.0.1 (loopback only) when unset. Set basicAuth before binding it beyond loopback.'),
    port: port().default(4001).describe('Proxy port.'),
    requestRateLimit: int(1).default(4000).describe('Most proxy requests per second (429 above).'),
    caCert: str().optional().describe('CA certificate (PEM file) used to sign per-host certificates for HTTPS interception; give caKey too.'),
    caKey: str().optional().describe('CA private key (PEM file) for caCert.'),
    basicAuth: optionalSection({
      username: boundedString(1, 20).describe('User name.'),
      password: boundedString(1, 20).describe('Password.'),
    }).describe('Require HTTP basic auth from proxy clients.'),
  }).describe('Proxy server.'),
  rules: list(proxyRule).default([]).describe('Rules; the first whose regex matches a GET request sends it through P2P.'),
  registryMirror: section({
    addr: httpUrl().default('https://index.docker.io').describe('Default upstream registry for mirror requests.'),
    cert: str().optional().describe('Extra CA certificate file (PEM) trusted for the registry.'),
    enableTaskIDBasedBlobDigest: bool().default(false).describe('Derive the task id of OCI blobs from their digest (dedup across registries).'),
    verifyBlobAccess: bool()
      .default(false)
      .describe(
        "d7y: before serving a blob through P2P (cached or not), ask the registry with the client's own credentials (HEAD) and pass a refusal through; off: a cached blob is served to any client of this proxy, as in Dragonfly.",
      ),
  }).describe('Registry mirror mode.'),
  disableBackToSource: bool().default(false).describe('Fail instead of downloading from the source.'),
  prefetch: bool().default(false).describe('On a range request, download the whole task in the background.'),
  prefetchBandwidthLimit: size().default(10 * GB).describe('Prefetch bandwidth limit per second. Older files spell it prefetchRateLimit.'),
  readBufferSize: size().default(512 * KiB).describe('Buffer size for reading pieces.'),
}).describe('HTTP(S) proxy and registry mirror.');

const backend = section({
  requestHeader: stringMap().optional().describe('Headers added to every back-to-source request.'),
  maxRetries: int(0).default(1).describe('Retries of a failed back-to-source request.'),
  enableCacheTemporaryRedirect: bool().default(true).describe('Cache 307 redirect targets.'),
  cacheTemporaryRedirectTTL: duration({ positive: true }).default(600 * SECOND).describe('TTL of cached redirect targets.'),
  putConcurrentChunkCount: int(1).default(16).describe('Chunks uploaded at the same time to object storage.'),
  putChunkSize: size().default(8 * MiB).describe('Chunk size for uploads to object storage.'),
  putTimeout: duration({ positive: true }).default(900 * SECOND).describe('Timeout for uploading one object.'),
  enableHickoryDNS: bool().default(true).describe('Dragonfly client option (Rust DNS resolver); accepted, no effect in d7y.'),
}).describe('Back-to-source clients.');

/** Schema of `dfdaemon.yaml`. */
export const DfdaemonConfigSchema = z
  .object(
    {
      host,
      server,
      download,
      upload,
      manager: section({
        addr: serviceAddr().optional().describe('Manager address. Unset: dfdaemon runs without a manager and uses scheduler.netAddrs.'),
        ...tlsFiles('manager'),
      }).describe('Manager connection.'),
      scheduler,
      seedPeer,
      dynconfig: section({
        refreshInterval: duration({ positive: true }).default(MINUTE).describe('Interval for refreshing the scheduler list and dynamic config.'),
      }).describe('Dynamic config.'),
      storage,
      backend,
      gc,
      proxy,
      security: section({ enable: bool().default(false).describe('Dragonfly client option; accepted, no effect in d7y.') }).describe('Security.'),
      metrics: section({ server: httpServer('metrics', 4002) }).describe('Prometheus metrics (GET /metrics).'),
      stats: section({ server: httpServer('stats', 4004) }).describe('Profiling endpoints.'),
      health: section({ server: httpServer('health', 4003) }).describe('Health endpoint (GET /healthy).'),
      tracing: tracing(),
      network: network(),
      console: bool().default(false).describe('Also write logs to the console.'),
      verbose: bool().default(false).describe('Print logs to stdout.'),
      log: section({
        level: oneOf(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('Log level.'),
      }).describe('Logging.'),
      egress: egress(),
      plugins: plugins(),
    },
    { error: 'mapping' },
  )
  .describe('dfdaemon configuration (dfdaemon.yaml), for peers and seed peers.');

/** The dfdaemon config as parsed (before freezing). */
export type DfdaemonConfigData = z.output<typeof DfdaemonConfigSchema>;

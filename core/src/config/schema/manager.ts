/**
 * `manager.yaml`: Dragonfly's Go manager keys (`manager/config/config.go`) and defaults
 * (`manager/config/constants.go`), plus the few d7y additions marked as such.
 */
import { z } from 'zod';

import { goBaseOptions, goLogOptions, grpcTls, legacySecurity, redis } from './common.js';
import { bool, duration, int, ip, listenAddr, nonEmpty, oneOf, optionalSection, port, positiveNumber, section, str } from './fields.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * JWT signing keys published in Dragonfly's docs. The schema accepts them so documented files load; the
 * manager refuses to start with one of them (DESIGN.md section 6).
 */
export const DOCUMENTED_JWT_KEYS: readonly string[] = Object.freeze(['ZHJhZ29uZmx5Cg==', 'ZHJhZ29uZmx5']);

const server = section({
  name: str().default('d7y/manager').describe('Server name.'),
  workHome: str().default('/usr/local/dragonfly').describe('Working directory. Empty means the default.'),
  ...goLogOptions(),
  cacheDir: str().default('/var/cache/dragonfly').describe('Cache directory (dynamic config cache). Empty means the default.'),
  pluginDir: str()
    .default('/usr/local/dragonfly/plugins')
    .describe('Directory searched for plugins (.js, .mjs, .cjs files or package folders). Empty means the default.'),
  grpc: section({
    advertiseIP: ip().optional().describe('IP other services use to reach this manager; detected at start when unset.'),
    listenIP: ip().optional().describe('IP the gRPC server binds; 0.0.0.0 (or :: with network.enableIPv6) when unset.'),
    port: z
      .preprocess(
        (value) => (typeof value === 'number' ? { start: value, end: value } : value),
        z.object(
          {
            start: port().default(65003).describe('First port to try.'),
            end: port().default(65003).describe('Last port to try; the manager uses the first free port in the range.'),
          },
          { error: 'mapping {start, end} or a port number' },
        ),
      )
      .prefault({})
      .describe('gRPC listen port range; a single number means start = end.'),
    tls: grpcTls('server'),
    requestRateLimit: positiveNumber().default(4000).describe('Most gRPC requests (and new streams) per second.'),
  }).describe('gRPC server.'),
  rest: section({
    addr: listenAddr().default(':8080').describe('REST API and console listen address.'),
    tls: optionalSection({
      cert: nonEmpty().describe('Certificate file (PEM).'),
      key: nonEmpty().describe('Private key file (PEM).'),
    }).describe('HTTPS for the REST server. Omit the block for plain HTTP.'),
  }).describe('REST server (API, console, /healthy).'),
}).describe('Manager server settings.');

const auth = section({
  jwt: section({
    realm: nonEmpty().default('Dragonfly').describe('Realm name shown to users.'),
    key: nonEmpty()
      .optional()
      .describe('Secret key that signs JWTs. Unset: the manager generates one on first start and keeps it. Keys published in Dragonfly docs are refused at start.'),
    timeout: duration({ positive: true }).default(48 * HOUR).describe('How long a token is valid.'),
    maxRefresh: duration({ positive: true }).default(48 * HOUR).describe('How long after issue a token may be refreshed.'),
  }).describe('JWT settings.'),
}).describe('Authentication.');

const tlsClient = optionalSection({
  caCert: str().optional().describe('CA certificate file used to verify the server.'),
  cert: str().optional().describe('Client certificate file.'),
  key: str().optional().describe('Client key file.'),
  insecureSkipVerify: bool().default(false).describe('Skip verifying the server certificate. Only for tests.'),
}).describe('Custom TLS to the database. Omit the block to use `tlsConfig`.');

const database = section({
  type: nonEmpty()
    .optional()
    .describe(
      'Database driver: sqlite, mysql, mariadb or postgres (or a database plugin name). Unset: mysql when ' +
        'database.mysql.host is set (Dragonfly\'s default), postgres when only database.postgres.host is set, ' +
        'otherwise the embedded sqlite file, so that a manager starts with no database configured.',
    ),
  sqlite: section({
    path: nonEmpty().default('/var/lib/dragonfly/manager/manager.db').describe('d7y addition. SQLite database file.'),
  }).describe('d7y addition. Embedded SQLite database, used when database.type is sqlite.'),
  mysql: section({
    user: str().default('').describe('User name.'),
    password: str().default('').describe('Password.'),
    host: str().default('').describe('Server host.'),
    port: int(1, 65535).default(3306).describe('Server port.'),
    dbname: nonEmpty().default('manager').describe('Database name.'),
    tlsConfig: str().optional().describe('TLS mode: true, false, skip-verify or preferred.'),
    tls: tlsClient,
    migrate: bool().default(true).describe('Apply schema migrations at start.'),
  }).describe('MySQL / MariaDB settings (database.type mysql or mariadb).'),
  postgres: section({
    user: str().default('').describe('User name.'),
    password: str().default('').describe('Password.'),
    host: str().default('').describe('Server host.'),
    port: int(1, 65535).default(5432).describe('Server port.'),
    dbname: nonEmpty().default('manager').describe('Database name.'),
    sslMode: oneOf(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).default('disable').describe('libpq sslmode.'),
    preferSimpleProtocol: bool().default(false).describe('Disable prepared statements.'),
    timezone: nonEmpty().default('UTC').describe('Session time zone.'),
    migrate: bool().default(true).describe('Apply schema migrations at start.'),
  }).describe('PostgreSQL settings (database.type postgres).'),
  redis: redis({ poolSize: 40, withDb: true }),
}).describe('Database and Redis.');

const cache = section({
  redis: section({
    ttl: duration({ positive: true }).default(5 * MINUTE).describe('TTL of entries cached in Redis.'),
  }).describe('Redis cache.'),
  local: section({
    size: int(1).default(8000).describe('Entries in the local LFU cache.'),
    ttl: duration({ positive: true }).default(3 * MINUTE).describe('TTL of entries in the local cache.'),
  }).describe('In-process LFU cache.'),
}).describe('Caches for scheduler lists and searches.');

const job = section({
  rateLimit: section({
    fillInterval: duration({ positive: true }).default(MINUTE).describe('Interval at which the job token bucket refills.'),
    capacity: int(1).default(5).describe('Bucket capacity: most job requests within one fill interval.'),
    quantum: int(1).default(5).describe('Tokens added at each refill.'),
  }).describe('Rate limit for creating jobs.'),
  gc: section({
    interval: duration({ positive: true }).default(3 * HOUR).describe('Interval of the job garbage collector.'),
    ttl: duration({ positive: true }).default(6 * HOUR).describe('Age after which finished jobs are deleted.'),
    batchSize: int(1).default(5000).describe('Rows deleted per batch.'),
  }).describe('Garbage collection of old jobs.'),
  preheat: section({
    registryTimeout: duration({ positive: true }).default(MINUTE).describe('Timeout for registry token and manifest requests.'),
    tls: section({
      insecureSkipVerify: bool().default(false).describe('Skip verifying registry certificates. Only for tests.'),
      caCert: str().optional().describe('Extra CA certificate (path or PEM) trusted for registries.'),
    }).describe('TLS for registry requests.'),
  }).describe('Preheat jobs.'),
  syncPeers: section({
    interval: duration({ positive: true }).default(24 * HOUR).describe('Interval for syncing peers from schedulers; must be more than 12h.'),
    timeout: duration({ positive: true }).default(10 * MINUTE).describe('Timeout for syncing peers from one scheduler.'),
    batchSize: int(1).default(500).describe('Rows written per batch.'),
  }).describe('Periodic sync of peer information from schedulers.'),
}).describe('Asynchronous jobs (preheat, sync peers, gc).');

const objectStorage = section({
  enable: bool().default(false).describe('Enable the object storage service.'),
  name: oneOf(['s3', 'oss', 'obs']).default('s3').describe('Object storage type.'),
  region: str().default('').describe('Region.'),
  endpoint: str().default('').describe('Endpoint.'),
  accessKey: str().default('').describe('Access key ID.'),
  secretKey: str().default('').describe('Access key secret.'),
  s3ForcePathStyle: bool().default(true).describe('Use path-style S3 addressing.'),
}).describe('Object storage used by dfstore (persistent tasks).');

const metrics = section({
  enable: bool().default(false).describe('Serve Prometheus metrics.'),
  addr: listenAddr().default(':8000').describe('Metrics listen address.'),
  enablePeerGauge: bool().default(true).describe('Export per-peer gauges.'),
}).describe('Prometheus metrics.');

/** Schema of `manager.yaml`. */
export const ManagerConfigSchema = z
  .object(
    {
      server,
      auth,
      database,
      cache,
      job,
      objectStorage,
      metrics,
      security: legacySecurity({
        dnsNames: ['dragonfly-manager', 'dragonfly-manager.dragonfly-system.svc', 'dragonfly-manager.dragonfly-system.svc.cluster.local'],
        validityPeriodMs: 87_600 * HOUR,
      }),
      ...goBaseOptions('dragonfly-manager'),
    },
    { error: 'mapping' },
  )
  .describe('Manager configuration (manager.yaml).');

/** The manager config as parsed (before freezing). */
export type ManagerConfigData = z.output<typeof ManagerConfigSchema>;

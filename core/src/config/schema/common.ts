/**
 * Sections shared by several roles: TLS blocks, Redis, tracing, network, logging basics, and d7y's own
 * additions (`egress`, `plugins`). Keys follow Dragonfly's Go services unless marked as a d7y addition.
 */
import { z } from 'zod';

import { bool, cidr, duration, hostPort, int, list, nonEmpty, oneOf, optionalSection, section, str, stringMap } from './fields.js';

/** Go `GRPCTLSServerConfig` / `GRPCTLSClientConfig`: all three files are required once the block is given. */
export function grpcTls(side: 'server' | 'client') {
  return optionalSection({
    caCert: nonEmpty().describe('CA certificate file (PEM) used to verify the other side (mTLS).'),
    cert: nonEmpty().describe(`${side === 'server' ? 'Server' : 'Client'} certificate file (PEM).`),
    key: nonEmpty().describe(`${side === 'server' ? 'Server' : 'Client'} private key file (PEM).`),
  }).describe(`gRPC ${side} TLS (mTLS). Omit the block to use plain gRPC.`);
}

/** Redis connection settings (`database.redis` in manager.yaml and scheduler.yaml). */
export function redis(defaults: { poolSize: number; withDb: boolean }) {
  return section({
    host: str().optional().describe('Deprecated by Dragonfly: use `addrs`. Host of a single Redis server.'),
    port: int(1, 65535).optional().describe('Deprecated by Dragonfly: use `addrs`. Port of a single Redis server.'),
    addrs: list(hostPort())
      .default([])
      .describe('Redis addresses (host:port). Several addresses mean a cluster, or sentinels with `masterName`. Empty: d7y keeps cache, job queue and rate limits in-process.'),
    masterName: str().default('').describe('Sentinel master name; empty when not using Redis Sentinel.'),
    username: str().default('').describe('Redis ACL user name.'),
    password: str().default('').describe('Redis password.'),
    sentinelUsername: str().default('').describe('User name for the sentinel servers.'),
    sentinelPassword: str().default('').describe('Password for the sentinel servers.'),
    ...(defaults.withDb ? { db: int(0).default(0).describe('Redis database used for the cache.') } : {}),
    brokerDB: int(0).default(1).describe('Redis database used as the job queue broker.'),
    backendDB: int(0).default(2).describe('Redis database used to store job results.'),
    poolSize: int(1).default(defaults.poolSize).describe('Most connections kept in the pool.'),
    poolTimeout: duration({ positive: true }).default(10_000).describe('How long to wait for a free pool connection.'),
    tls: optionalSection({
      caCert: str().optional().describe('CA certificate file used to verify the Redis server.'),
      cert: str().optional().describe('Client certificate file (mutual TLS; give `key` too).'),
      key: str().optional().describe('Client key file (mutual TLS; give `cert` too).'),
      insecureSkipVerify: bool().default(false).describe('Skip verifying the server certificate. Only for tests.'),
    }).describe('TLS to Redis. Omit the block for plain TCP.'),
  }).describe('Redis used for the cache, the job queue and shared state.');
}

/** OpenTelemetry tracing, shared by all roles (`tracing`). */
export function tracing(serviceName?: string) {
  return section({
    protocol: oneOf(['http', 'https', 'grpc']).optional().describe('Protocol of the OTLP collector; tracing is off unless both protocol and endpoint are set.'),
    endpoint: str().optional().describe('Collector endpoint, e.g. localhost:4317.'),
    path: str().default('/v1/traces').describe('URL path for the http and https protocols.'),
    ...(serviceName === undefined ? {} : { serviceName: str().default(serviceName).describe('Service name reported with spans.') }),
    headers: stringMap().default({}).describe('Extra headers sent with every export (e.g. an API key).'),
  }).describe('OpenTelemetry tracing export.');
}

/** `network`, shared by all roles. */
export function network() {
  return section({
    enableIPv6: bool().default(false).describe('Listen on and advertise IPv6 addresses instead of IPv4.'),
  }).describe('Network settings.');
}

/**
 * d7y addition: the outbound address policy applied to every fetch a role makes on a user's behalf
 * (back-to-source, preheat, token realms, redirects). Built-in denied ranges (cloud metadata, link-local,
 * multicast) always apply; these lists adjust them.
 */
export function egress() {
  return section({
    allowCIDRs: list(cidr()).default([]).describe('d7y addition. CIDRs always allowed, even inside a denied range.'),
    denyCIDRs: list(cidr()).default([]).describe('d7y addition. CIDRs refused in addition to the built-in denied ranges.'),
    allowHosts: list(nonEmpty()).default([]).describe('d7y addition. Host names (exact, or *.suffix) always allowed.'),
    denyHosts: list(nonEmpty()).default([]).describe('d7y addition. Host names (exact, or *.suffix) refused.'),
    maxRedirects: int(0, 100).default(10).describe('d7y addition. Most HTTP redirects one fetch may follow; each hop is checked again.'),
    schemes: list(nonEmpty()).default(['http', 'https']).describe('d7y addition. URL schemes allowed for outbound HTTP fetches.'),
  }).describe('d7y addition. Outbound address policy for every fetch made on a user\'s behalf.');
}

/** A free-form record, validated later by the plugin that owns it. */
function pluginConfigs(kind: string) {
  return z
    .record(z.string(), z.unknown(), { error: 'mapping of plugin name to its settings' })
    .optional()
    .describe(`d7y addition. Settings for ${kind} plugins, keyed by plugin name; each plugin validates its own section.`);
}

/**
 * d7y addition: per-plugin settings, `plugins.<kind>.<name>`. The kernel hands each section to the plugin's
 * own `configSchema`, so this schema does not look inside them.
 */
export function plugins() {
  return section({
    source: pluginConfigs('source (back-to-source)'),
    evaluator: pluginConfigs('evaluator (scheduling)'),
    storage: pluginConfigs('storage'),
    database: pluginConfigs('database'),
  }).describe('d7y addition. Per-plugin settings: plugins.<kind>.<name>: {...}.');
}

/** Base options of Dragonfly's Go services (`console`, `verbose`, `pprofPort`, `jaeger`, `tracing`). */
export function goBaseOptions(serviceName: string) {
  return {
    console: bool().default(false).describe('Also write logs to the console (stdout).'),
    verbose: bool().default(false).describe('Debug-level logging.'),
    pprofPort: int(-1, 65535)
      .default(-1)
      .describe('Port for the profiling endpoint; -1 disables it, 0 picks a free port. Dragonfly also spells it `pprof-port`.'),
    jaeger: str().default('').describe('Legacy Dragonfly key (replaced by `tracing`); accepted so older files load.'),
    tracing: tracing(serviceName),
    network: network(),
    egress: egress(),
    plugins: plugins(),
  };
}

/** Legacy Go `security` block (removed upstream in v2.1); accepted so older files load unchanged. */
export function legacySecurity(defaults: { dnsNames: readonly string[]; validityPeriodMs: number }) {
  return section({
    autoIssueCert: bool().default(false).describe('Legacy Dragonfly key. Issue client certificates for gRPC automatically.'),
    caCert: str().default('').describe('Legacy Dragonfly key. CA certificate (path or PEM) for gRPC TLS.'),
    caKey: str().default('').describe('Legacy Dragonfly key. CA private key (path or PEM).'),
    tlsVerify: bool().default(false).describe('Legacy Dragonfly key. Verify peer certificates.'),
    tlsPolicy: oneOf(['force', 'prefer', 'default']).default('prefer').describe('Legacy Dragonfly key. TLS handshake policy.'),
    certSpec: section({
      dnsNames: list(str()).default([...defaults.dnsNames]).describe('Legacy Dragonfly key. DNS names put on issued certificates.'),
      ipAddresses: list(str()).default([]).describe('Legacy Dragonfly key. IP addresses put on issued certificates.'),
      validityPeriod: duration({ positive: true }).default(defaults.validityPeriodMs).describe('Legacy Dragonfly key. Validity of issued certificates.'),
    }).describe('Legacy Dragonfly key. Certificate specification.'),
  }).describe('Legacy Dragonfly key (removed upstream in v2.1); accepted so older files load.');
}

/** Log file settings of Dragonfly's Go services (`server.log*`). */
export function goLogOptions() {
  return {
    logLevel: oneOf(['debug', 'info', 'warn', 'error', 'panic', 'fatal']).default('info').describe('Log level (panic and fatal both keep only fatal messages); verbose: true means debug.'),
    logDir: str().default('/var/log/dragonfly').describe('Log directory. Empty means the default.'),
    logMaxSize: int(1).default(1024).describe('Size in megabytes at which a log file is rotated.'),
    logMaxAge: int(0).default(7).describe('Days to keep rotated log files.'),
    logMaxBackups: int(0).default(20).describe('Rotated log files to keep.'),
  };
}

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'dragonfly_manager_';

/**
 * The manager's Prometheus metrics, named after Dragonfly's `manager/metrics/metrics.go`
 * (`dragonfly_manager_*`), served on `metrics.addr` when `metrics.enable` is true. Each instance has its own
 * registry, so several managers can run in one process.
 */
export class ManagerMetrics {
  readonly registry = new Registry();

  /** Searcher runs for ListSchedulers, by client version and commit. */
  readonly searchSchedulerClusterTotal = new Counter({
    name: `${PREFIX}search_scheduler_cluster_total`,
    help: 'Scheduler cluster searches for peers.',
    labelNames: ['version', 'commit'],
    registers: [this.registry],
  });
  /** Searches that found no cluster with an active scheduler (every cluster was returned). */
  readonly searchSchedulerClusterFailureTotal = new Counter({
    name: `${PREFIX}search_scheduler_cluster_failure_total`,
    help: 'Scheduler cluster searches that found no cluster with an active scheduler.',
    labelNames: ['version', 'commit'],
    registers: [this.registry],
  });
  /** gRPC calls by method. */
  readonly grpcRequestTotal = new Counter({ name: `${PREFIX}grpc_request_total`, help: 'd7y: manager gRPC calls.', labelNames: ['method'], registers: [this.registry] });
  /** gRPC calls that failed, by method. */
  readonly grpcRequestFailureTotal = new Counter({
    name: `${PREFIX}grpc_request_failure_total`,
    help: 'd7y: manager gRPC calls that failed.',
    labelNames: ['method'],
    registers: [this.registry],
  });
  /** Jobs asked for (REST, open API and the manager's own timers), by type. */
  readonly createJobTotal = new Counter({ name: `${PREFIX}create_job_total`, help: 'Jobs asked for, by type.', labelNames: ['type'], registers: [this.registry] });
  /** Jobs created (stored and queued), by type. */
  readonly createJobSuccessTotal = new Counter({ name: `${PREFIX}create_job_success_total`, help: 'Jobs created, by type.', labelNames: ['type'], registers: [this.registry] });
  /** Peers in the peers table after the last sync, by version and commit (`metrics.enablePeerGauge`). */
  readonly peerTotal = new Gauge({ name: `${PREFIX}peer_total`, help: 'Peers known to the manager (last sync), by version and commit.', labelNames: ['version', 'commit'], registers: [this.registry] });
  /** Open KeepAlive streams. */
  readonly keepAliveStreams = new Gauge({ name: `${PREFIX}keepalive_streams`, help: 'd7y: open KeepAlive streams.', registers: [this.registry] });
  /** Always 1, labelled with the build. */
  readonly version = new Gauge({ name: `${PREFIX}version`, help: 'Version of the manager.', labelNames: ['git_version', 'platform'], registers: [this.registry] });

  constructor(gitVersion: string, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.version.labels(gitVersion, `${process.platform}-${process.arch}`).set(1);
  }
}

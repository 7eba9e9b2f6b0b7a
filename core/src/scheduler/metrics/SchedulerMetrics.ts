import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'dragonfly_scheduler_';

/**
 * The scheduler's Prometheus metrics, named as Dragonfly's `scheduler/metrics/metrics.go` names them
 * (`dragonfly_scheduler_*`). Each instance has its own registry, so several schedulers can run in one process.
 */
export class SchedulerMetrics {
  readonly registry = new Registry();

  readonly announcePeerTotal = this.#counter('announce_peer_total', 'AnnouncePeer streams opened.');
  readonly announcePeerFailureTotal = this.#counter('announce_peer_failure_total', 'AnnouncePeer streams that ended with an error.');
  readonly registerPeerTotal = this.#counter('register_peer_total', 'Peers registered.', ['priority', 'task_type', 'host_type']);
  readonly registerPeerFailureTotal = this.#counter('register_peer_failure_total', 'Peer registrations refused or failed.', ['priority', 'task_type', 'host_type']);
  readonly downloadPeerStartedTotal = this.#counter('download_peer_started_total', 'Peers that started downloading from parents.');
  readonly downloadPeerBackToSourceStartedTotal = this.#counter('download_peer_back_to_source_started_total', 'Peers that started downloading from the origin.');
  readonly downloadPeerFinishedTotal = this.#counter('download_peer_finished_total', 'Peers that finished downloading.', ['host_type']);
  readonly downloadPeerFinishedFailureTotal = this.#counter('download_peer_finished_failure_total', 'Peers that failed downloading.', ['host_type']);
  readonly downloadPeerBackToSourceFinishedFailureTotal = this.#counter(
    'download_peer_back_to_source_finished_failure_total',
    'Peers that failed downloading from the origin.',
    ['host_type'],
  );
  readonly downloadPieceFinishedTotal = this.#counter('download_piece_finished_total', 'Pieces reported finished.', ['traffic_type']);
  readonly downloadPieceFinishedFailureTotal = this.#counter('download_piece_finished_failure_total', 'Piece reports that failed or were refused.', ['traffic_type']);
  readonly downloadPieceBackToSourceFinishedFailureTotal = this.#counter(
    'download_piece_back_to_source_finished_failure_total',
    'Pieces that failed downloading from the origin.',
  );
  readonly trustedPieceConflictTotal = this.#counter(
    'trusted_piece_conflict_total',
    'd7y: back-to-source reports that disagreed with an already trusted piece digest (ignored).',
  );
  readonly statPeerTotal = this.#counter('stat_peer_total', 'StatPeer calls.');
  readonly statPeerFailureTotal = this.#counter('stat_peer_failure_total', 'StatPeer calls that failed.');
  readonly deletePeerTotal = this.#counter('delete_peer_total', 'DeletePeer calls.');
  readonly deletePeerFailureTotal = this.#counter('delete_peer_failure_total', 'DeletePeer calls that failed.');
  readonly statTaskTotal = this.#counter('stat_task_total', 'StatTask calls.');
  readonly statTaskFailureTotal = this.#counter('stat_task_failure_total', 'StatTask calls that failed.');
  readonly deleteTaskTotal = this.#counter('delete_task_total', 'DeleteTask calls.');
  readonly deleteTaskFailureTotal = this.#counter('delete_task_failure_total', 'DeleteTask calls that failed.');
  readonly announceHostTotal = this.#counter('announce_host_total', 'AnnounceHost calls.');
  readonly announceHostFailureTotal = this.#counter('announce_host_failure_total', 'AnnounceHost calls that failed.');
  readonly listHostsTotal = this.#counter('list_hosts_total', 'ListHosts calls.');
  readonly listHostsFailureTotal = this.#counter('list_hosts_failure_total', 'ListHosts calls that failed.');
  readonly deleteHostTotal = this.#counter('delete_host_total', 'DeleteHost calls.');
  readonly deleteHostFailureTotal = this.#counter('delete_host_failure_total', 'DeleteHost calls that failed.');
  readonly triggerSeedPeerTotal = this.#counter('trigger_seed_peer_total', 'Seed peer downloads triggered.');
  readonly triggerSeedPeerFailureTotal = this.#counter('trigger_seed_peer_failure_total', 'Seed peer downloads that failed.');
  readonly traffic = this.#counter('traffic', 'Bytes reported downloaded, by traffic type.', ['type', 'task_type']);
  readonly downloadPeerDuration = new Histogram({
    name: `${PREFIX}download_peer_duration_milliseconds`,
    help: 'Time from registration to the end of a successful peer download.',
    labelNames: ['host_type'],
    buckets: [100, 200, 500, 1000, 1500, 2000, 3000, 5000, 10_000, 20_000, 60_000, 120_000, 300_000],
    registers: [this.registry],
  });
  readonly scheduleDuration = new Histogram({
    name: `${PREFIX}schedule_duration_milliseconds`,
    help: 'Time spent scheduling candidate parents.',
    buckets: [100, 200, 500, 1000, 1500, 2000, 3000, 5000, 10_000],
    registers: [this.registry],
  });
  readonly concurrentScheduleTotal = new Gauge({
    name: `${PREFIX}concurrent_schedule_total`,
    help: 'Scheduling loops running now.',
    registers: [this.registry],
  });
  readonly version = new Gauge({
    name: `${PREFIX}version`,
    help: 'Version of the running scheduler.',
    labelNames: ['git_version', 'platform'],
    registers: [this.registry],
  });

  constructor(version: string, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.version.labels(version, `${process.platform}-${process.arch}`).set(1);
  }

  #counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter<L>({ name: `${PREFIX}${name}`, help, labelNames: labelNames as L[], registers: [this.registry] });
  }
}

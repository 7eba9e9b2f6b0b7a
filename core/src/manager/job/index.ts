/**
 * Jobs (preheat, get_task, delete_task, sync_peers): validation, the job service, the scheduler-facing gRPC service and the
 * image resolver. See `JobService.ts` for the flow and `../../common/jobs/protocol.ts` for the queue messages.
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';

import { createEgressPolicy } from '../../common/egress/EgressPolicyImpl.js';
import { createError, ErrorCodes } from '../../common/errors.js';
import type { ManagerConfig } from '../../config/roles.js';
import type { DatabaseDriver } from '../../plugin-api/database/DatabaseDriver.js';
import type { SharedStateBackend } from '../../plugin-api/database/SharedStateBackend.js';
import type { EgressPolicy } from '../../plugin-api/EgressPolicy.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { ManagerMetrics } from '../metrics/ManagerMetrics.js';
import { JobService, type JobServiceDeps } from './JobService.js';

export { JobService, DEFAULT_JOB_RATE_LIMIT, type JobServiceDeps } from './JobService.js';
export { jobsRpcHandlers } from './jobsRpc.js';
export { parseCreateJob, publicArgs, hostPlatform } from './jobArgs.js';
export { JobRepository, JOB_STATES, JOB_TYPES, type JobRecord, type JobState } from './JobRepository.js';
export { PeerSyncTimer } from './peerSync.js';

/** A scheduler silent longer than this gets no jobs (as the manager's default stale limit). */
const STALE_AFTER_MS = 2 * 60_000;

/** Builds the job service from the manager's config (`egress`, `job.preheat`). */
export function createJobService(deps: {
  db: DatabaseDriver;
  sharedState: SharedStateBackend;
  config: ManagerConfig;
  logger: Logger;
  egress?: EgressPolicy;
  staleAfterMs?: number;
  metrics?: JobServiceDeps['metrics'] & Pick<ManagerMetrics, 'peerTotal'>;
}): JobService {
  const { preheat } = deps.config.job;
  const ca = preheatCa(preheat.tls.caCert);
  return new JobService({
    db: deps.db,
    sharedState: deps.sharedState,
    egress: deps.egress ?? createEgressPolicy(deps.config.egress),
    logger: deps.logger.child({ component: 'jobs' }),
    registry: { timeoutMs: preheat.registryTimeout, insecureSkipVerify: preheat.tls.insecureSkipVerify, ...(ca ? { ca } : {}) },
    staleAfterMs: deps.staleAfterMs ?? STALE_AFTER_MS,
    peerSyncBatchSize: deps.config.job.syncPeers.batchSize,
    metrics: deps.metrics,
    peerGauge: deps.metrics && deps.config.metrics.enablePeerGauge ? deps.metrics.peerTotal : undefined,
  });
}

/**
 * The CA bundle registries are checked against: `job.preheat.tls.caCert` inline (PEM) or as a file path. A path
 * that cannot be read stops start-up, naming the key, rather than silently trusting only the system roots.
 */
export function preheatCa(caCert: string | undefined): string | undefined {
  if (caCert === undefined || caCert === '') return undefined;
  if (caCert.includes('-----BEGIN')) return caCert;
  try {
    return readFileSync(caCert, 'utf8');
  } catch (error) {
    throw createError(ErrorCodes.INVALID_CONFIG, `job.preheat.tls.caCert: cannot read ${caCert}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

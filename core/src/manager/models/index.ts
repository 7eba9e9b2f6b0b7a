/**
 * The manager's repositories: one per control-plane table, all speaking the same parameterised SQL on
 * SQLite, PostgreSQL and MySQL/MariaDB. Build them on the driver, or on a transaction's session:
 *
 * ```ts
 * const repos = createRepositories(db);
 * await db.transaction(async (tx) => createRepositories(tx).schedulerClusters.create({ name: 'c2' }));
 * ```
 *
 * Records use Dragonfly's JSON shapes (snake_case, `id, created_at, updated_at, is_del`); input errors are
 * `D7Y_ERR_INVALID_ARGUMENT` naming the field, missing rows `D7Y_ERR_NOT_FOUND`, taken names
 * `D7Y_ERR_ALREADY_EXISTS`, deleting a cluster that still has members `D7Y_ERR_FAILED_PRECONDITION`.
 * @packageDocumentation
 */
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import { ApplicationRepository } from './ApplicationRepository.js';
import { ConfigRepository } from './ConfigRepository.js';
import { PeerRepository } from './PeerRepository.js';
import { SchedulerClusterRepository } from './SchedulerClusterRepository.js';
import { SchedulerRepository } from './SchedulerRepository.js';
import { SeedPeerClusterRepository } from './SeedPeerClusterRepository.js';
import { SeedPeerClusterSchedulerClusterRepository } from './SeedPeerClusterSchedulerClusterRepository.js';
import { SeedPeerRepository } from './SeedPeerRepository.js';

export * from './ApplicationRepository.js';
export * from './BaseRecord.js';
export * from './ConfigRepository.js';
export * from './jsonShapes.js';
export * from './PeerRepository.js';
export * from './SchedulerClusterRepository.js';
export * from './SchedulerRepository.js';
export * from './SeedPeerClusterRepository.js';
export * from './SeedPeerClusterSchedulerClusterRepository.js';
export * from './SeedPeerRepository.js';
export { MAX_FIND_ALL, Table, type TableSpec } from './Table.js';

/** Every control-plane repository, on one session. */
export interface Repositories {
  readonly schedulerClusters: SchedulerClusterRepository;
  readonly schedulers: SchedulerRepository;
  readonly seedPeerClusters: SeedPeerClusterRepository;
  readonly seedPeers: SeedPeerRepository;
  readonly peers: PeerRepository;
  readonly applications: ApplicationRepository;
  readonly configs: ConfigRepository;
  readonly clusterLinks: SeedPeerClusterSchedulerClusterRepository;
}

/** Builds every repository on `session` (the driver, or a transaction's `tx`). */
export function createRepositories(session: SqlSession): Repositories {
  return {
    schedulerClusters: new SchedulerClusterRepository(session),
    schedulers: new SchedulerRepository(session),
    seedPeerClusters: new SeedPeerClusterRepository(session),
    seedPeers: new SeedPeerRepository(session),
    peers: new PeerRepository(session),
    applications: new ApplicationRepository(session),
    configs: new ConfigRepository(session),
    clusterLinks: new SeedPeerClusterSchedulerClusterRepository(session),
  };
}

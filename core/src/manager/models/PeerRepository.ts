/** `peers`: peer hosts known to the manager (console data; filled by sync-peers jobs or the API). */
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { BaseRecord } from './BaseRecord.js';
import { field } from './fieldSpec.js';
import { LIVENESS_STATES, type LivenessState } from './SchedulerRepository.js';
import { Table } from './Table.js';

/** Peer host types, as Dragonfly names them. */
export const PEER_TYPES: readonly string[] = Object.freeze(['normal', 'super', 'strong', 'weak']);

/** A peer, as Dragonfly's `Peer` model serialises it. */
export interface PeerRecord extends BaseRecord {
  readonly host_name: string;
  readonly type: string;
  readonly idc: string;
  readonly location: string;
  readonly ip: string;
  readonly port: number;
  readonly download_port: number;
  readonly proxy_port: number;
  readonly object_storage_port: number;
  readonly state: LivenessState;
  readonly os: string;
  readonly platform: string;
  readonly platform_family: string;
  readonly platform_version: string;
  readonly kernel_version: string;
  readonly git_version: string;
  readonly git_commit: string;
  readonly build_platform: string;
  readonly scheduler_cluster_id: number;
}

/** Filters of `GET /api/v1/peers`. */
export type PeerFilter = 'host_name' | 'ip' | 'type' | 'state' | 'scheduler_cluster_id';

/** CRUD for peers. */
export class PeerRepository extends Table<PeerRecord, PeerFilter> {
  constructor(session: SqlSession) {
    super(session, {
      table: 'peers',
      noun: 'peer',
      fields: {
        host_name: field.string(256),
        type: field.oneOf(PEER_TYPES, 'normal'),
        idc: field.string(1024),
        location: field.string(1024),
        ip: field.string(256),
        port: field.port(),
        download_port: field.port(),
        proxy_port: field.port(),
        object_storage_port: field.port(),
        state: field.oneOf(LIVENESS_STATES, 'inactive'),
        os: field.string(256),
        platform: field.string(256),
        platform_family: field.string(256),
        platform_version: field.string(256),
        kernel_version: field.string(256),
        git_version: field.string(256),
        git_commit: field.string(256),
        build_platform: field.string(256),
        scheduler_cluster_id: field.int(0),
      },
      filters: ['host_name', 'ip', 'type', 'state', 'scheduler_cluster_id'],
    });
  }
}

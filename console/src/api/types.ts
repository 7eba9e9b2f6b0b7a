/** The manager's JSON shapes (Dragonfly's `manager/types` and models, snake_case), as the console reads them. */

/** Fields every stored row has. */
export interface Row {
  id: number;
  created_at: string;
  updated_at: string;
}

/** The signed-in user (`GET /api/v1/users/me`). */
export interface Me extends User {
  roles: string[];
  permissions: Permission[];
}

export interface User extends Row {
  name: string;
  email: string;
  avatar: string;
  phone: string;
  state: 'enable' | 'disable';
  location: string;
  bio: string;
}

export interface Permission {
  object: string;
  action: 'read' | '*';
}

export interface ClusterScopes {
  idc?: string;
  location?: string;
  cidrs?: string[];
  hostnames?: string[];
}

/** A scheduler cluster paired with a seed peer cluster (`/api/v1/clusters`). */
export interface Cluster extends Row {
  name: string;
  bio: string;
  scopes: ClusterScopes;
  scheduler_cluster_id: number;
  seed_peer_cluster_id: number;
  scheduler_cluster_config: { candidate_parent_limit?: number; filter_parent_limit?: number; job_rate_limit?: number };
  seed_peer_cluster_config: { load_limit?: number; concurrent_piece_count?: number };
  peer_cluster_config: { load_limit?: number; concurrent_piece_count?: number; block_list?: unknown };
  is_default: boolean;
}

export type Liveness = 'active' | 'inactive';

export interface Scheduler extends Row {
  host_name: string;
  idc: string;
  location: string;
  ip: string;
  port: number;
  state: Liveness;
  features: string[];
  last_keep_alive_at: string | null;
  scheduler_cluster_id: number;
}

export interface SeedPeer extends Row {
  host_name: string;
  type: string;
  idc: string;
  location: string;
  ip: string;
  port: number;
  download_port: number;
  object_storage_port: number;
  state: Liveness;
  last_keep_alive_at?: string | null;
  seed_peer_cluster_id: number;
}

export interface Peer extends Row {
  host_name: string;
  type: string;
  idc: string;
  location: string;
  ip: string;
  port: number;
  download_port: number;
  proxy_port: number;
  object_storage_port: number;
  state: Liveness;
  os: string;
  platform: string;
  platform_family: string;
  platform_version: string;
  kernel_version: string;
  git_version: string;
  git_commit: string;
  build_platform: string;
  scheduler_cluster_id: number;
}

export type JobState = 'PENDING' | 'RECEIVED' | 'STARTED' | 'RETRY' | 'SUCCESS' | 'FAILURE';
export type JobType = 'preheat' | 'sync_peers' | 'get_task' | 'get_image_distribution' | 'delete_task' | 'gc';

/** One host's outcome in a job result (preheat: `url`; delete_task: `task_id`). */
export interface HostTask {
  url?: string;
  task_id?: string;
  hostname?: string;
  ip?: string;
  host_type?: string;
  description?: string;
}

/** One scheduler cluster's part of a job result. */
export interface JobClusterResult {
  scheduler_cluster_id?: number;
  success_tasks?: HostTask[] | null;
  failure_tasks?: HostTask[] | null;
  /** get_task: the peers holding the task. */
  peers?: Array<{ id?: string; hostname?: string; ip?: string; host_type?: string; created_at?: string; updated_at?: string }> | null;
}

export interface JobTaskState {
  task_uuid?: string;
  task_name?: string;
  state?: string;
  results?: JobClusterResult[] | null;
  error?: string;
  created_at?: string;
  ttl?: number;
}

export interface JobResult {
  group_uuid?: string;
  state?: string;
  created_at?: string;
  updated_at?: string;
  job_states?: JobTaskState[] | null;
}

export interface Job extends Row {
  task_id: string;
  bio: string;
  type: JobType | string;
  state: JobState;
  args: Record<string, unknown>;
  result: JobResult | null;
  user_id: number;
  scheduler_clusters?: Array<{ id: number; name?: string }>;
  seed_peer_clusters?: Array<{ id: number; name?: string }>;
}

export interface PersonalAccessToken extends Row {
  name: string;
  bio: string;
  scopes: Array<'job' | 'cluster'>;
  state: 'active' | 'inactive';
  expired_at: string;
  last_used_at?: string | null;
  user_id: number;
  /** Only in the answer to the create call. */
  token?: string;
}

export interface Application extends Row {
  name: string;
  url: string;
  bio: string;
  priority: { value: number; urls?: Array<{ regex: string; value: number }> };
  user_id: number;
}

/** One page of a list and the total from `X-Total-Count`. */
export interface Page<T> {
  items: T[];
  total: number;
}

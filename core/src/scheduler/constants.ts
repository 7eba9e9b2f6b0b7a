/**
 * Fixed scheduler limits: Dragonfly's constants (`scheduler/config/constants.go`,
 * `scheduler/resource/standard/*.go`) and d7y's input bounds. Durations are milliseconds.
 */

/** Most candidate parents returned in one NormalTaskResponse (`DefaultSchedulerCandidateParentLimit`). */
export const CANDIDATE_PARENT_LIMIT = 3;
/** Peers sampled from the DAG per scheduling attempt (`DefaultSchedulerFilterParentLimit`). */
export const FILTER_PARENT_LIMIT = 15;
/** Piece costs kept per peer (`pieceCostsWindowLen`). */
export const PIECE_COSTS_WINDOW = 2000;
/** A task DAG larger than this has its finished leaves evicted by GC (`PeerCountLimitForTask`). */
export const PEER_COUNT_LIMIT_FOR_TASK = 300;
/** After a seed peer failed for a task, peers go back-to-source themselves for this long (`SeedPeerFailedTimeout`). */
export const SEED_PEER_FAILED_TIMEOUT_MS = 30 * 60 * 1000;
/**
 * d7y: after a seed peer was triggered for a task, scheduling attempts that find no parent do not count
 * towards `retryBackToSourceLimit` / `retryLimit` for up to this long, or until a seed peer of the task is
 * downloading (or the trigger failed). Children then wait for the seed instead of all going to the origin.
 */
export const SEED_PEER_PENDING_TIMEOUT_MS = 10_000;
/** Content up to this many bytes is TINY (`TinyFileSize`). */
export const TINY_FILE_SIZE = 128;
/** Concurrent upload limit of a normal host (`DefaultPeerConcurrentUploadLimit`). */
export const NORMAL_HOST_UPLOAD_LIMIT = 200;
/** Concurrent upload limit of a seed (super) host (`DefaultSeedPeerConcurrentUploadLimit`). */
export const SEED_HOST_UPLOAD_LIMIT = 2000;
/** Pieces a peer fetches in parallel when it does not say (`defaultConcurrentPieceCount`). */
export const DEFAULT_CONCURRENT_PIECE_COUNT = 8;
/** Register delay of normal hosts: `ExponentialDelayWithJitter` base and cap. */
export const REGISTER_DELAY_BASE_MS = 30;
export const REGISTER_DELAY_MAX_MS = 1000;

// ---- d7y input bounds (security test plan C01, C02, C06) ----

/** Longest id (host, peer, parent) accepted from the network. */
export const MAX_ID_LENGTH = 256;
/** Longest URL accepted in a Download. */
export const MAX_URL_LENGTH = 8 * 1024;
/** Longest free-text field (tag, application, hostname, description, idc, location, digest). */
export const MAX_TEXT_LENGTH = 1024;
/** Most request headers / filtered query params / certificates in one Download. */
export const MAX_REQUEST_HEADERS = 128;
export const MAX_REQUEST_HEADER_BYTES = 64 * 1024;
export const MAX_FILTERED_QUERY_PARAMS = 128;
/** Largest piece length a peer may claim (Dragonfly's 64 MiB maximum). */
export const MAX_PIECE_LENGTH = 64 * 1024 * 1024;
/** Highest piece number accepted while a task's piece count is unknown. */
export const MAX_UNKNOWN_PIECE_NUMBER = 1 << 24;
/** Longest piece cost accepted (one day); longer or negative costs are refused. */
export const MAX_PIECE_COST_MS = 24 * 60 * 60 * 1000;
/** Reschedule requests one AnnouncePeer stream may send. */
export const MAX_RESCHEDULES_PER_STREAM = 100;
/** Messages one AnnouncePeer stream may send, before the piece-count allowance below. */
export const BASE_MESSAGES_PER_STREAM = 10_000;
/** Extra messages allowed per piece of the task (finished + failed reports, retries). */
export const MESSAGES_PER_PIECE = 8;
/** Parents one peer may block in total. */
export const MAX_BLOCKED_PARENTS = 2000;
/** The first message (register) must arrive within this time. */
export const REGISTER_TIMEOUT_MS = 30_000;
/** Concurrent AnnouncePeer streams per scheduler. */
export const MAX_ANNOUNCE_STREAMS = 20_000;
/** Resource table caps: beyond them new entries are refused with RESOURCE_EXHAUSTED. */
export const MAX_HOSTS = 100_000;
export const MAX_TASKS = 100_000;
export const MAX_PEERS_PER_TASK = 10_000;
/** Most hosts returned by ListHosts (keeps the answer under the 4 MiB message limit). */
export const MAX_LIST_HOSTS = 5000;

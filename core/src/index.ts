/**
 * @d7y/core: the kernel (plugin loader, registry, container), role configuration, common building blocks and
 * the role implementations. Plugins import only `@d7y/core/plugin-api`.
 * @packageDocumentation
 */
export * from './plugin-api/index.js';
export * as kernel from './kernel/index.js';
export * as config from './config/index.js';
export { taskId, hostId, peerId, isTaskId, assertTaskId, filterUrl, redactUrl, DEFAULT_FILTERED_QUERY_PARAMS } from './common/ids.js';
export { pieceLength, pieceCount, pieceSpan, piecesForRange, allPieces, MIN_PIECE_LENGTH, MAX_PIECE_LENGTH } from './common/pieces.js';
export { parseDigest, formatDigest, createDigester, digestOf, digestFile, digestsEqual, assertDigest } from './common/digests.js';
export { parseDuration, parseSize, formatDuration, formatSize } from './common/units.js';
export { createEgressPolicy, DEFAULT_DENIED_CIDRS, type EgressConfig } from './common/egress/EgressPolicyImpl.js';
export { toGrpcStatus, toHttpStatus, toServiceError, fromGrpcError } from './common/errors.js';
export { createLogger } from './common/logging.js';
export { Dfdaemon, type DfdaemonEndpoints } from './dfdaemon/Dfdaemon.js';
export { TaskEngine } from './dfdaemon/task/TaskEngine.js';

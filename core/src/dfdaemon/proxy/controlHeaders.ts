/**
 * The `X-Dragonfly-*` request headers (spec section 7): parsed into download options with bounds, and stripped
 * from everything forwarded upstream. `X-Dragonfly-Output-Path` is honoured only from loopback clients.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isAbsolute } from 'node:path';

import { createError, ErrorCodes } from '../../common/errors.js';
import { MIN_PIECE_LENGTH } from '../../common/pieces.js';
import { parseSize } from '../../common/units.js';

/** Every control header starts with this (lower case). */
export const CONTROL_PREFIX = 'x-dragonfly-';

/** Longest accepted control header value. */
const MAX_VALUE_LENGTH = 4096;
/** Most entries in X-Dragonfly-Filtered-Query-Params. */
const MAX_FILTERED_PARAMS = 64;
/** Default task priority of proxy downloads (LEVEL6). */
export const DEFAULT_PRIORITY = 6;

/** What the control headers of one request ask for. */
export interface ControlOptions {
  registry?: string;
  tag?: string;
  application?: string;
  priority: number;
  filteredQueryParams?: string[];
  /** `X-Dragonfly-Use-P2P: true`: a GET goes through P2P even when no rule matches. */
  useP2P: boolean;
  prefetch?: boolean;
  outputPath?: string;
  forceHardLink: boolean;
  pieceLength?: number;
  contentForCalculatingTaskId?: string;
  enableTaskIdBasedBlobDigest?: boolean;
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  if (text.length > MAX_VALUE_LENGTH) throw invalid(`${name} is longer than ${MAX_VALUE_LENGTH} characters`);
  return text.trim();
}

function invalid(message: string) {
  return createError(ErrorCodes.INVALID_ARGUMENT, message);
}

function flag(headers: IncomingHttpHeaders, name: string): boolean | undefined {
  const value = single(headers, name)?.toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(`${name} must be true or false, got ${JSON.stringify(value.slice(0, 40))}`);
}

/**
 * Reads the control headers. Malformed values are `D7Y_ERR_INVALID_ARGUMENT`; an output path from a client that
 * is not on loopback is `D7Y_ERR_PERMISSION_DENIED`. An invalid priority falls back to the default, as in
 * Dragonfly.
 */
export function parseControlHeaders(headers: IncomingHttpHeaders, client: { loopback: boolean }): ControlOptions {
  const priorityText = single(headers, 'x-dragonfly-priority');
  const priority = priorityText !== undefined && /^[0-6]$/.test(priorityText) ? Number(priorityText) : DEFAULT_PRIORITY;
  const options: ControlOptions = {
    registry: single(headers, 'x-dragonfly-registry') || undefined,
    tag: single(headers, 'x-dragonfly-tag') || undefined,
    application: single(headers, 'x-dragonfly-application') || undefined,
    priority,
    useP2P: flag(headers, 'x-dragonfly-use-p2p') ?? false,
    prefetch: flag(headers, 'x-dragonfly-prefetch'),
    forceHardLink: flag(headers, 'x-dragonfly-force-hard-link') ?? false,
    contentForCalculatingTaskId: single(headers, 'x-dragonfly-content-for-calculating-task-id') || undefined,
    enableTaskIdBasedBlobDigest: flag(headers, 'x-dragonfly-enable-task-id-based-blob-digest'),
  };
  const filtered = single(headers, 'x-dragonfly-filtered-query-params');
  if (filtered !== undefined) {
    const names = filtered.split(',').map((name) => name.trim()).filter(Boolean);
    if (names.length > MAX_FILTERED_PARAMS) throw invalid(`x-dragonfly-filtered-query-params names more than ${MAX_FILTERED_PARAMS} parameters`);
    options.filteredQueryParams = names;
  }
  const pieceLength = single(headers, 'x-dragonfly-piece-length');
  if (pieceLength !== undefined && pieceLength !== '') {
    let bytes: number;
    try {
      bytes = parseSize(pieceLength);
    } catch {
      throw invalid(`x-dragonfly-piece-length must be a size like 4mib, got ${JSON.stringify(pieceLength.slice(0, 40))}`);
    }
    if (bytes < MIN_PIECE_LENGTH) throw invalid(`x-dragonfly-piece-length must be at least 4MiB, got ${pieceLength}`);
    options.pieceLength = bytes;
  }
  const outputPath = single(headers, 'x-dragonfly-output-path');
  if (outputPath !== undefined && outputPath !== '') {
    if (!client.loopback) throw createError(ErrorCodes.PERMISSION_DENIED, 'x-dragonfly-output-path is only accepted from loopback clients');
    if (!isAbsolute(outputPath) || outputPath.includes('\0')) throw invalid('x-dragonfly-output-path must be an absolute path');
    options.outputPath = outputPath;
  }
  return options;
}

/** True for a header that only the proxy reads and that is never forwarded. */
export function isControlHeader(name: string): boolean {
  return name.toLowerCase().startsWith(CONTROL_PREFIX);
}

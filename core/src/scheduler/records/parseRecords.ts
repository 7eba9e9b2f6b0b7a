import { createError, ErrorCodes } from '../../common/errors.js';
import { RECORDS_FORMAT, type DecisionRecord, type PieceRecord, type RecordsHeader } from './types.js';

/** An export read back: the header and its decisions and pieces. */
export interface ParsedRecords {
  readonly header: RecordsHeader;
  readonly decisions: DecisionRecord[];
  readonly pieces: PieceRecord[];
}

/**
 * Parses an NDJSON export (`d7y records export`). The first line must be a `d7y-download-records` header;
 * a malformed line is `D7Y_ERR_INVALID_ARGUMENT` naming `source` and the line number. Unknown line types are
 * skipped (newer exports stay readable).
 */
export function parseRecords(text: string, source = 'records'): ParsedRecords {
  const lines = text.split('\n');
  let header: RecordsHeader | undefined;
  const decisions: DecisionRecord[] = [];
  const pieces: PieceRecord[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let value: { type?: unknown; format?: unknown; features?: unknown };
    try {
      value = JSON.parse(line) as typeof value;
    } catch (err) {
      throw createError(ErrorCodes.INVALID_ARGUMENT, `${source}:${index + 1}: not JSON (${(err as Error).message})`);
    }
    if (header === undefined) {
      if (value.type !== 'header' || value.format !== RECORDS_FORMAT || !Array.isArray(value.features)) {
        throw createError(ErrorCodes.INVALID_ARGUMENT, `${source}:${index + 1}: expected a ${RECORDS_FORMAT} header line first`);
      }
      header = value as unknown as RecordsHeader;
    } else if (value.type === 'decision') decisions.push(value as unknown as DecisionRecord);
    else if (value.type === 'piece') {
      const piece = value as unknown as PieceRecord;
      if (!Array.isArray(piece.features) || piece.features.length !== header.features.length || typeof piece.costMs !== 'number' || typeof piece.bytes !== 'number') {
        throw createError(ErrorCodes.INVALID_ARGUMENT, `${source}:${index + 1}: piece record needs ${header.features.length} features, bytes and costMs`);
      }
      pieces.push(piece);
    }
  });
  if (header === undefined) throw createError(ErrorCodes.INVALID_ARGUMENT, `${source}: empty, expected a ${RECORDS_FORMAT} header line`);
  return { header, decisions, pieces };
}

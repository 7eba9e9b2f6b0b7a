/**
 * The per-task piece journal (`metadata/tasks/<id[0:3]>/<id>.pieces`): an append-only file with one line per
 * stored piece, so storing a piece costs one small append + fdatasync instead of rewriting task metadata.
 *
 * Line format: `<json> <crc32 of the json bytes as 8 hex digits>\n`. The first line is a header naming the
 * format and the task. A line is valid only if it is complete (ends with `\n`), its checksum matches and its
 * fields are well-formed; reading stops at the first invalid line, and the file is truncated there, so a torn
 * tail left by a crash (or a failed append) is dropped and never followed by new records.
 *
 * Appends are group-committed: records queued while a write + fdatasync is in flight go out together in the
 * next one, so concurrent piece writes of one task share syncs and never interleave.
 */
import { open, type FileHandle } from 'node:fs/promises';

import { createError, ErrorCodes, type PieceRecord } from '@d7y/core/plugin-api';

import { crc32 } from './crc32.js';
import { parseDigest } from './digest.js';
import { writeFully } from './fileIo.js';

/** Format name in the header line. */
export const JOURNAL_FORMAT = 'd7y-pieces';
/** Format version in the header line. */
export const JOURNAL_VERSION = 1;

const NEWLINE = 0x0a;
const SPACE = 0x20;
const CRC_HEX = 8;

/** Encodes one line: json, space, crc32 hex, newline. */
export function encodeLine(value: object): Buffer {
  const json = Buffer.from(JSON.stringify(value));
  const crc = crc32(json).toString(16).padStart(CRC_HEX, '0');
  return Buffer.concat([json, Buffer.from(` ${crc}\n`)]);
}

/** Encodes a piece record as a journal line. */
export function encodePieceLine(record: PieceRecord): Buffer {
  return encodeLine({
    n: record.number,
    o: record.offset,
    l: record.length,
    d: record.digest,
    ...(record.parentId !== undefined ? { p: record.parentId } : {}),
    c: record.costMs,
    t: record.createdAt,
  });
}

/** The header line of a task's journal. */
export function encodeHeaderLine(taskId: string): Buffer {
  return encodeLine({ format: JOURNAL_FORMAT, v: JOURNAL_VERSION, task: taskId });
}

/** One decoded piece record and the byte offset just past its line. */
export interface JournalEntry {
  readonly record: PieceRecord;
  readonly end: number;
}

/** What `decodeJournal` found. */
export interface DecodedJournal {
  /** False when the header line is missing, torn or names another task. */
  readonly headerValid: boolean;
  /** Byte offset just past the header line (0 when invalid). */
  readonly headerEnd: number;
  /** Valid records, in file order, up to the first invalid line. */
  readonly entries: JournalEntry[];
}

/** Decodes a journal's bytes, stopping at the first incomplete or invalid line. */
export function decodeJournal(bytes: Buffer, taskId: string): DecodedJournal {
  let position = 0;
  const next = (): unknown => {
    const newline = bytes.indexOf(NEWLINE, position);
    if (newline < 0) return undefined;
    const value = decodeLine(bytes.subarray(position, newline));
    if (value !== undefined) position = newline + 1;
    return value;
  };
  const header = next() as { format?: unknown; v?: unknown; task?: unknown } | undefined;
  if (!header || header.format !== JOURNAL_FORMAT || header.v !== JOURNAL_VERSION || header.task !== taskId) {
    return { headerValid: false, headerEnd: 0, entries: [] };
  }
  const headerEnd = position;
  const entries: JournalEntry[] = [];
  for (;;) {
    const value = next();
    const record = value === undefined ? undefined : toPieceRecord(value);
    if (!record) break;
    entries.push({ record, end: position });
  }
  return { headerValid: true, headerEnd, entries };
}

function decodeLine(line: Buffer): unknown {
  if (line.length < CRC_HEX + 3 || line[line.length - CRC_HEX - 1] !== SPACE) return undefined;
  const hex = line.subarray(line.length - CRC_HEX).toString('latin1');
  if (!/^[0-9a-f]{8}$/.test(hex)) return undefined;
  const json = line.subarray(0, line.length - CRC_HEX - 1);
  if (crc32(json) !== Number.parseInt(hex, 16)) return undefined;
  try {
    const value: unknown = JSON.parse(json.toString('utf8'));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function toPieceRecord(value: unknown): PieceRecord | undefined {
  const raw = value as Record<string, unknown>;
  if (!isCount(raw.n) || !isCount(raw.o) || !isCount(raw.l) || raw.l === 0 || !isCount(raw.t)) return undefined;
  if (typeof raw.c !== 'number' || !Number.isFinite(raw.c) || raw.c < 0) return undefined;
  if (raw.p !== undefined && typeof raw.p !== 'string') return undefined;
  if (typeof raw.d !== 'string') return undefined;
  try {
    parseDigest(raw.d);
  } catch {
    return undefined;
  }
  return Object.freeze({
    number: raw.n,
    offset: raw.o,
    length: raw.l,
    digest: raw.d,
    ...(raw.p !== undefined ? { parentId: raw.p as string } : {}),
    costMs: raw.c,
    createdAt: raw.t,
  });
}

interface Pending {
  readonly line: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** What `PieceJournal.open` recovered. */
export interface OpenedJournal {
  readonly journal: PieceJournal;
  /** Valid, accepted records in file order. */
  readonly records: PieceRecord[];
  /** Bytes cut from the end (a torn or invalid tail). */
  readonly droppedBytes: number;
}

/** An open piece journal of one task. */
export class PieceJournal {
  readonly #handle: FileHandle;
  /** Length of the valid prefix; the next append is written here. */
  #size: number;
  #pending: Pending[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;

  private constructor(handle: FileHandle, size: number) {
    this.#handle = handle;
    this.#size = size;
  }

  /** Creates (or truncates) the journal with its header line, synced. */
  static async create(path: string, taskId: string): Promise<PieceJournal> {
    const handle = await open(path, 'w');
    try {
      const header = encodeHeaderLine(taskId);
      await writeFully(handle, header, 0);
      await handle.datasync();
      return new PieceJournal(handle, header.length);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Opens an existing journal: decodes it, keeps records up to the first invalid line or the first record
   * `accept` refuses, and truncates the file there. Throws `D7Y_ERR_DATA_CORRUPTED` when the header is invalid.
   */
  static async open(path: string, taskId: string, accept: (record: PieceRecord) => boolean = () => true): Promise<OpenedJournal> {
    const handle = await open(path, 'r+');
    try {
      const bytes = await handle.readFile();
      const decoded = decodeJournal(bytes, taskId);
      if (!decoded.headerValid) throw createError(ErrorCodes.DATA_CORRUPTED, `piece journal of ${taskId} has no valid header`);
      const records: PieceRecord[] = [];
      let size = decoded.headerEnd;
      for (const entry of decoded.entries) {
        if (!accept(entry.record)) break;
        records.push(entry.record);
        size = entry.end;
      }
      if (size < bytes.length) {
        await handle.truncate(size);
        await handle.datasync();
      }
      return { journal: new PieceJournal(handle, size), records, droppedBytes: bytes.length - size };
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /** Durably appends a record: resolves once the line is written and synced. */
  append(record: PieceRecord): Promise<void> {
    if (this.#closed) return Promise.reject(createError(ErrorCodes.FAILED_PRECONDITION, 'piece journal is closed'));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line: encodePieceLine(record), resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Waits for queued appends, then closes the file. Later appends fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#draining;
    await this.#handle.close();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        await this.#flush(batch);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  async #flush(batch: Pending[]): Promise<void> {
    const bytes = batch.length === 1 ? batch[0]!.line : Buffer.concat(batch.map((pending) => pending.line));
    try {
      await writeFully(this.#handle, bytes, this.#size);
      await this.#handle.datasync();
      this.#size += bytes.length;
      for (const pending of batch) pending.resolve();
    } catch (error) {
      // Whatever reached the file past #size is not trusted: the next append overwrites it, and a reader stops
      // at the first line that does not check out. Cutting it now is best effort.
      await this.#handle.truncate(this.#size).catch(() => undefined);
      for (const pending of batch) pending.reject(error);
    }
  }
}

/**
 * The output file of `dfget --transfer-from-dfdaemon`: the daemon streams each piece's bytes over its socket and
 * dfget writes them at their offsets into a temporary file beside the output, which is renamed into place only
 * when the daemon ends the download successfully (it has verified `--digest` by then). The file is created by
 * dfget's own user, on dfget's side of any container boundary: the daemon never touches the output path.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { createError, ErrorCodes } from '../common/errors.js';

/** A temporary file receiving pieces in any order. */
export class PieceFile {
  #handle: FileHandle | undefined;
  #written = 0;
  /** End of the furthest piece written (the size when the daemon did not know the length up front). */
  #end = 0;

  private constructor(
    readonly output: string,
    private readonly temporary: string,
  ) {}

  /** Creates the temporary file beside `output` (its directory is created if missing). */
  static async create(output: string): Promise<PieceFile> {
    await mkdir(dirname(output), { recursive: true });
    const file = new PieceFile(output, join(dirname(output), `.${basename(output)}.d7y-${randomBytes(6).toString('hex')}`));
    file.#handle = await open(file.temporary, 'wx', 0o644);
    return file;
  }

  /** Bytes written so far. */
  get written(): number {
    return this.#written;
  }

  /** Writes one piece at `offset`; `length` must match the bytes received. */
  async write(offset: number, length: number, content: Buffer | undefined): Promise<void> {
    if (!content || content.length !== length) {
      throw createError(ErrorCodes.INTERNAL, `dfdaemon sent ${content?.length ?? 0} bytes for a piece of ${length} at offset ${offset}`);
    }
    let done = 0;
    while (done < content.length) {
      const { bytesWritten } = await this.#handle!.write(content, done, content.length - done, offset + done);
      done += bytesWritten;
    }
    this.#written += content.length;
    this.#end = Math.max(this.#end, offset + content.length);
  }

  /**
   * Sizes the file to `contentLength` (or to the end of the last piece when that is further: a source that sent
   * no length), flushes it to disk and renames it to the output.
   */
  async commit(contentLength: number): Promise<void> {
    await this.#handle!.truncate(Math.max(contentLength, this.#end));
    await this.#handle!.sync();
    await this.#handle!.close();
    this.#handle = undefined;
    await rename(this.temporary, this.output);
  }

  /** Removes the temporary file (after a failure). */
  async discard(): Promise<void> {
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    await rm(this.temporary, { force: true });
  }
}

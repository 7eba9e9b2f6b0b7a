/**
 * The whole-content digest of a download (`--digest`), computed while it downloads instead of in a second pass
 * after the last byte: each time the next piece in content order is stored it is read back (still in the page
 * cache, just written) and fed to the digest. Pieces arrive out of order, so the digest trails the download by
 * the pieces still missing below the highest one; at the end only those remain. One piece is read at a time.
 */
import { createDigester, type Digester, type DigestAlgorithm } from '../../common/digests.js';
import type { StorageEngine } from '../../plugin-api/index.js';

/** Digest of a task's content in piece order, fed as pieces are stored. */
export class OrderedDigest {
  readonly #digester: Digester;
  readonly #stored = new Set<number>();
  #next = 0;
  #pumping: Promise<void> | undefined;
  #failure: unknown;

  constructor(
    private readonly storage: StorageEngine,
    private readonly taskId: string,
    algorithm: DigestAlgorithm,
    private readonly pieceCount: number,
  ) {
    this.#digester = createDigester(algorithm);
  }

  /** Pieces fed to the digest so far (they form the prefix of the content). */
  get fed(): number {
    return this.#next;
  }

  /** Notes that piece `number` is stored; feeds every piece that is now next in order. */
  stored(number: number): void {
    if (this.#failure !== undefined || number < this.#next) return;
    this.#stored.add(number);
    this.#kick();
  }

  /**
   * The digest (`algo:encoded`) once every piece is stored and fed. Rejects when a piece could not be read back
   * (the caller then hashes the content file instead) or when pieces are missing.
   */
  async digest(): Promise<string> {
    while (this.#pumping) await this.#pumping;
    await this.#pump();
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#next < this.pieceCount) throw new Error(`pieces ${this.#next}.. of ${this.pieceCount} were never stored`);
    return this.#digester.digest();
  }

  /** Starts feeding unless a feed is running; a feed that ends with the next piece available starts again. */
  #kick(): void {
    if (this.#pumping) return;
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = undefined;
      if (this.#failure === undefined && this.#stored.has(this.#next)) this.#kick();
    });
  }

  async #pump(): Promise<void> {
    if (this.#failure !== undefined) return;
    try {
      while (this.#stored.has(this.#next) && this.#next < this.pieceCount) {
        for await (const chunk of await this.storage.readPiece(this.taskId, this.#next)) this.#digester.update(chunk as Buffer);
        this.#stored.delete(this.#next);
        this.#next++;
      }
    } catch (error) {
      this.#failure = error;
    }
  }
}

/**
 * A fixed-capacity ring: appending to a full ring overwrites the oldest entry, so memory never grows past
 * `capacity` entries however long the process runs.
 */
export class Ring<T> {
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;
  /** Entries overwritten since creation (so readers can tell that history was dropped). */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be an integer >= 1, got ${capacity}`);
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Entries held now (at most `capacity`). */
  get size(): number {
    return this.#size;
  }

  /** Appends `item`, overwriting the oldest entry when full. */
  push(item: T): void {
    if (this.#size === this.capacity) this.dropped++;
    else this.#size++;
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** The entries, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) yield this.#items[(start + i) % this.capacity] as T;
  }
}

/** The newest `capacity` durations (ms), for percentiles; fixed memory. */
export class LatencyWindow {
  readonly #values: Float64Array;
  #next = 0;
  #size = 0;

  constructor(capacity = 1000) {
    this.#values = new Float64Array(capacity);
  }

  /** Adds one duration. */
  add(ms: number): void {
    this.#values[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#values.length;
    this.#size = Math.min(this.#size + 1, this.#values.length);
  }

  /** The `q`-quantile (0..1, nearest rank) of the window; NaN when empty. */
  quantile(q: number): number {
    if (this.#size === 0) return NaN;
    const sorted = Float64Array.from(this.#values.subarray(0, this.#size)).sort();
    return sorted[Math.min(this.#size - 1, Math.max(0, Math.ceil(q * this.#size) - 1))];
  }
}

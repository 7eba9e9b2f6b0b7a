/**
 * Shows the status table: on a terminal it redraws in place every `intervalMs` until stopped; elsewhere
 * (logs, pipes) it prints once per `print()`, so output stays readable in CI.
 */
import { collectStatus, renderStatusTable, type StatusSource } from './status.js';

/** Where the board writes. */
export interface BoardOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** A refreshing status table. */
export class StatusBoard {
  #timer: NodeJS.Timeout | undefined;
  #lines = 0;
  #drawing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sources: () => readonly StatusSource[],
    private readonly out: BoardOutput,
    private readonly intervalMs = 2000,
  ) {}

  /** Draws once now (replacing the previous drawing on a terminal). */
  draw(): Promise<void> {
    this.#drawing = this.#drawing.then(async () => {
      const table = `${renderStatusTable(await collectStatus(this.sources()))}\n(updated ${new Date().toISOString().slice(11, 19)} UTC)\n`;
      // On a terminal: move up over the last drawing and clear to the end of the screen.
      if (this.out.isTTY && this.#lines > 0) this.out.write(`\x1b[${this.#lines}A\x1b[J`);
      this.out.write(table);
      this.#lines = table.split('\n').length - 1;
    });
    return this.#drawing;
  }

  /** Draws now and, on a terminal, every interval until `stop()`. */
  async start(): Promise<void> {
    await this.draw();
    if (!this.out.isTTY) return;
    this.#timer = setInterval(() => void this.draw().catch(() => undefined), this.intervalMs);
  }

  /** Stops refreshing and waits for a drawing in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#drawing.catch(() => undefined);
  }
}

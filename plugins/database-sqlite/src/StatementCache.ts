import type { Database, Statement } from 'better-sqlite3';

/** Prepared statements by SQL text, least recently used dropped first. */
export class StatementCache {
  readonly #statements = new Map<string, Statement>();

  constructor(private readonly capacity = 256) {}

  /** The prepared statement for `sql` (prepared on first use; throws what `prepare` throws). */
  get(db: Database, sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement !== undefined) {
      this.#statements.delete(sql);
    } else {
      statement = db.prepare(sql);
      if (this.#statements.size >= this.capacity) this.#statements.delete(this.#statements.keys().next().value as string);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  /** Forgets every statement (after close). */
  clear(): void {
    this.#statements.clear();
  }
}

/** A SQL parameter value. */
export type SqlValue = string | number | bigint | boolean | null | Date | Uint8Array;

/** Result of a statement that changes rows. */
export interface ExecResult {
  /** Rows inserted, updated or deleted. */
  readonly affectedRows: number;
  /** Auto-increment id of the inserted row, where the statement inserted one. */
  readonly insertId?: number;
}

/** One versioned schema change. Versions are applied in ascending order, each at most once. */
export interface Migration {
  /** Strictly increasing version number. */
  readonly version: number;
  /** Short description shown in logs. */
  readonly name: string;
  /** Statements for each dialect; the driver runs the list for its own dialect. */
  readonly up: Readonly<Record<SqlDialect, readonly string[]>>;
}

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/** The query surface shared by a connection and a transaction. Placeholders are always `?`. */
export interface SqlSession {
  /** Runs a query and returns its rows as plain objects keyed by column name. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement that changes data. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<ExecResult>;
}

/**
 * A manager database (the `database` plugin kind, SQL flavour), selected by `database.type`.
 * The manager's repositories speak portable SQL with `?` placeholders; the driver translates placeholders,
 * maps driver errors to coded errors (`D7Y_ERR_UNAVAILABLE` when the server cannot be reached,
 * `D7Y_ERR_ALREADY_EXISTS` for unique violations) and never puts parameter values in error messages.
 */
export interface DatabaseDriver extends SqlSession {
  readonly dialect: SqlDialect;
  /** Opens the connection pool; fails with `D7Y_ERR_UNAVAILABLE` if the server cannot be reached. */
  connect(): Promise<void>;
  /** Applies pending migrations in order inside transactions where the dialect allows; returns versions applied. */
  migrate(migrations: readonly Migration[]): Promise<number[]>;
  /** Runs `work` in a transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Round-trips to the server; throws `D7Y_ERR_UNAVAILABLE` if it is down. */
  ping(): Promise<void>;
  /** Closes the pool. */
  close(): Promise<void>;
}

/**
 * Generic soft-delete CRUD over one manager table, driven by a field spec. Parameterised SQL only, the same
 * text on SQLite, PostgreSQL and MySQL/MariaDB. The per-table repositories extend it with their own queries.
 */
import { createError, ErrorCodes, isD7yError } from '../../common/errors.js';
import type { SqlSession, SqlValue } from '../../plugin-api/database/DatabaseDriver.js';
import { type BaseRecord, DEFAULT_PER_PAGE, type Fields, type ListQuery, MAX_PAGE, MAX_PER_PAGE, type Page } from './BaseRecord.js';
import { fromColumn, invalid, toParam, type FieldSpec } from './fieldSpec.js';

/** What a repository declares about its table. */
export interface TableSpec<R extends BaseRecord, F extends string = string> {
  /** SQL table name. */
  readonly table: string;
  /** Human name used in errors ("scheduler cluster"). */
  readonly noun: string;
  /** Every column besides the standard ones, with its storage kind and default. */
  readonly fields: { readonly [K in keyof Fields<R>]-?: FieldSpec };
  /** Columns `list()` may filter on by equality. */
  readonly filters: readonly F[];
}

/** Largest number of rows `findAll()` returns. */
export const MAX_FIND_ALL = 10_000;

/** Soft-delete CRUD for one table. */
export class Table<R extends BaseRecord, F extends string = string> {
  readonly #columns: string[];

  constructor(
    protected readonly session: SqlSession,
    protected readonly spec: TableSpec<R, F>,
  ) {
    this.#columns = Object.keys(spec.fields);
  }

  /**
   * Inserts a row from `input` (missing fields take their defaults) and returns it. Fails with
   * `D7Y_ERR_INVALID_ARGUMENT` naming the field for bad input or unknown keys, and `D7Y_ERR_ALREADY_EXISTS`
   * when a unique key (e.g. the name) is taken by a live row.
   */
  async create(input: Partial<Fields<R>>): Promise<R> {
    this.#rejectUnknown(input);
    const now = new Date();
    const values: SqlValue[] = [now, now];
    for (const column of this.#columns) {
      const spec = this.#spec(column);
      const given = (input as Record<string, unknown>)[column];
      const value = given === undefined ? (spec.kind === 'json' ? spec.default() : spec.default) : given;
      values.push(toParam(column, spec, value));
    }
    const columns = ['created_at', 'updated_at', ...this.#columns];
    const sql = `INSERT INTO ${this.spec.table} (${columns.join(', ')}, is_del) VALUES (${columns.map(() => '?').join(', ')}, 0) RETURNING id`;
    const rows = await this.#translate(() => this.session.query<{ id: number }>(sql, values));
    return this.get(Number(rows[0].id));
  }

  /** The live row with `id`, or undefined. */
  async find(id: number): Promise<R | undefined> {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const rows = await this.session.query(`SELECT * FROM ${this.spec.table} WHERE id = ? AND is_del = 0`, [id]);
    return rows.length > 0 ? this.decode(rows[0]) : undefined;
  }

  /** The live row with `id`; `D7Y_ERR_NOT_FOUND` when there is none. */
  async get(id: number): Promise<R> {
    const record = await this.find(id);
    if (!record) throw createError(ErrorCodes.NOT_FOUND, `${this.spec.noun} ${id} not found`, { details: { id } });
    return record;
  }

  /** The first live row (lowest id) whose columns equal `where`. */
  async findOne(where: Partial<Record<keyof Fields<R>, SqlValue>>): Promise<R | undefined> {
    const { clause, params } = this.#where(where as Record<string, SqlValue>);
    const rows = await this.session.query(`SELECT * FROM ${this.spec.table} WHERE ${clause} ORDER BY id LIMIT 1`, params);
    return rows.length > 0 ? this.decode(rows[0]) : undefined;
  }

  /** Every live row whose columns equal `where`, by id, at most `MAX_FIND_ALL`. */
  async findAll(where: Partial<Record<keyof Fields<R>, SqlValue>> = {}): Promise<R[]> {
    const { clause, params } = this.#where(where as Record<string, SqlValue>);
    const rows = await this.session.query(`SELECT * FROM ${this.spec.table} WHERE ${clause} ORDER BY id LIMIT ${MAX_FIND_ALL}`, params);
    return rows.map((row) => this.decode(row));
  }

  /**
   * One page of live rows by ascending id, filtered by equality on the table's filter columns. `page` and
   * `per_page` are validated (per_page at most `MAX_PER_PAGE`); an unknown filter is `D7Y_ERR_INVALID_ARGUMENT`.
   */
  async list(query: ListQuery<F> = {}): Promise<Page<R>> {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? DEFAULT_PER_PAGE;
    if (!Number.isSafeInteger(page) || page < 1 || page > MAX_PAGE) invalid('page', `expected 1..${MAX_PAGE}`);
    if (!Number.isSafeInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) invalid('per_page', `expected 1..${MAX_PER_PAGE}`);
    const where: Record<string, SqlValue> = {};
    for (const [key, value] of Object.entries(query.filters ?? {})) {
      if (value === undefined) continue;
      if (!(this.spec.filters as readonly string[]).includes(key)) invalid(key, `not a filter of ${this.spec.table} (filters: ${this.spec.filters.join(', ') || 'none'})`);
      where[key] = toParam(key, this.#spec(key), value);
    }
    const { clause, params } = this.#where(where);
    const [{ n }] = await this.session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${this.spec.table} WHERE ${clause}`, params);
    const rows = await this.session.query(`SELECT * FROM ${this.spec.table} WHERE ${clause} ORDER BY id LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`, params);
    return { items: rows.map((row) => this.decode(row)), total: Number(n), page, per_page: perPage };
  }

  /** Changes the given fields of live row `id` and returns it; `D7Y_ERR_NOT_FOUND` when there is none. */
  async update(id: number, patch: Partial<Fields<R>>): Promise<R> {
    this.#rejectUnknown(patch);
    const sets: string[] = ['updated_at = ?'];
    const params: SqlValue[] = [new Date()];
    for (const [column, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(toParam(column, this.#spec(column), value));
    }
    await this.get(id);
    await this.#translate(() => this.session.execute(`UPDATE ${this.spec.table} SET ${sets.join(', ')} WHERE id = ? AND is_del = 0`, [...params, id]));
    return this.get(id);
  }

  /** Soft-deletes live row `id`; `D7Y_ERR_NOT_FOUND` when there is none. */
  async delete(id: number): Promise<void> {
    await this.get(id);
    await this.session.execute(`UPDATE ${this.spec.table} SET is_del = id, updated_at = ? WHERE id = ? AND is_del = 0`, [new Date(), id]);
  }

  /** Number of live rows whose columns equal `where`. */
  async count(where: Partial<Record<keyof Fields<R>, SqlValue>> = {}): Promise<number> {
    const { clause, params } = this.#where(where as Record<string, SqlValue>);
    const [{ n }] = await this.session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${this.spec.table} WHERE ${clause}`, params);
    return Number(n);
  }

  /** Decodes a row read with `SELECT *` into a record. */
  protected decode(row: Record<string, unknown>): R {
    const record: Record<string, unknown> = {
      id: Number(row.id),
      created_at: fromColumn({ kind: 'date', default: null }, row.created_at),
      updated_at: fromColumn({ kind: 'date', default: null }, row.updated_at),
      is_del: Number(row.is_del) === 0 ? 0 : 1,
    };
    for (const column of this.#columns) record[column] = fromColumn(this.#spec(column), row[column]);
    return record as unknown as R;
  }

  #spec(column: string): FieldSpec {
    return (this.spec.fields as Record<string, FieldSpec>)[column];
  }

  #rejectUnknown(input: object): void {
    if (typeof input !== 'object' || input === null) invalid(this.spec.noun, 'expected an object');
    for (const key of Object.keys(input)) {
      if (!Object.hasOwn(this.spec.fields, key)) invalid(key, `unknown field of ${this.spec.noun}`);
    }
  }

  #where(where: Record<string, SqlValue>): { clause: string; params: SqlValue[] } {
    const parts = ['is_del = 0'];
    const params: SqlValue[] = [];
    for (const [column, value] of Object.entries(where)) {
      if (value === undefined) continue;
      if (!Object.hasOwn(this.spec.fields, column)) invalid(column, `unknown field of ${this.spec.noun}`);
      parts.push(`${column} = ?`);
      params.push(value);
    }
    return { clause: parts.join(' AND '), params };
  }

  async #translate<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isD7yError(error) && error.code === ErrorCodes.ALREADY_EXISTS) {
        throw createError(ErrorCodes.ALREADY_EXISTS, `${this.spec.noun} already exists`, { cause: error });
      }
      throw error;
    }
  }
}

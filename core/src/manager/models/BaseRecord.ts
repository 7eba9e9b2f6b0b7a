/** Columns every manager table has, in Dragonfly's JSON shape (`BaseModel` in `manager/models/models.go`). */
export interface BaseRecord {
  readonly id: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  /** 0 for a live row, 1 for a soft-deleted one (reads never return deleted rows). */
  readonly is_del: 0 | 1;
}

/** The writable part of a record: everything but the standard columns. */
export type Fields<R extends BaseRecord> = Omit<R, keyof BaseRecord>;

/** One page of a listing, with the total number of matching rows. */
export interface Page<R> {
  readonly items: R[];
  readonly total: number;
  readonly page: number;
  readonly per_page: number;
}

/** Pagination and equality filters for `list()`. */
export interface ListQuery<F extends string = string> {
  /** 1-based page number (default 1). */
  readonly page?: number;
  /** Rows per page (default 10, at most `MAX_PER_PAGE`). */
  readonly per_page?: number;
  /** Equality filters on the columns the table allows filtering by; undefined values are ignored. */
  readonly filters?: Partial<Record<F, string | number | boolean | undefined>>;
}

/** Default page size, as Dragonfly's handlers. */
export const DEFAULT_PER_PAGE = 10;
/** Largest page size a caller may ask for. */
export const MAX_PER_PAGE = 1000;
/** Largest page number accepted (bounds the OFFSET). */
export const MAX_PAGE = 1_000_000;

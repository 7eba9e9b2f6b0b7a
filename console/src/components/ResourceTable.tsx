/**
 * A filtered, paged table of one API collection (schedulers, seed peers, peers). Filters are the
 * collection's query parameters; their initial values come from the page URL (`?state=active`), so links
 * from other pages can pre-filter.
 */
import { useState } from 'react';

import { list } from '../api/client';
import { DataState } from './DataState';
import { type Column, DataTable } from './DataTable';
import { Pager } from './Pager';
import { useResource } from '../lib/useResource';

export type { Column } from './DataTable';

/** One filter: a query parameter, shown as a text box or a select. */
export interface Filter {
  param: string;
  label: string;
  options?: Array<[string, string]>;
}

const PER_PAGE = 20;

/** The table. Polls every 5 s so liveness stays current. */
export function ResourceTable<T extends { id: number }>({ path, columns, filters, empty, testId }: { path: string; columns: Column<T>[]; filters: Filter[]; empty: string; testId: string }) {
  const [values, setValues] = useState<Record<string, string>>(() => {
    const search = new URLSearchParams(location.search);
    return Object.fromEntries(filters.map((f) => [f.param, search.get(f.param) ?? '']));
  });
  const [page, setPage] = useState(1);
  const key = JSON.stringify(values);
  const rows = useResource(() => list<T>(path, { ...values, page, per_page: PER_PAGE }), [path, key, page], { pollMs: 5000 });
  const filtered = Object.values(values).some((v) => v !== '');
  return (
    <>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        {filters.map((f) =>
          f.options ? (
            <select key={f.param} aria-label={f.label} value={values[f.param]} onChange={(e) => { setPage(1); setValues({ ...values, [f.param]: e.target.value }); }}>
              <option value="">{f.label}: any</option>
              {f.options.map(([v, text]) => (
                <option key={v} value={v}>
                  {text}
                </option>
              ))}
            </select>
          ) : (
            <input key={f.param} aria-label={f.label} placeholder={f.label} value={values[f.param]} onChange={(e) => { setPage(1); setValues({ ...values, [f.param]: e.target.value.trim() }); }} />
          ),
        )}
      </form>
      <DataState resource={rows} isEmpty={(p) => p.items.length === 0} empty={filtered ? 'Nothing matches these filters.' : empty}>
        {(p) => (
          <>
            <DataTable rows={p.items} columns={columns} testId={testId} />
            <Pager page={page} perPage={PER_PAGE} total={p.total} onPage={setPage} />
          </>
        )}
      </DataState>
    </>
  );
}

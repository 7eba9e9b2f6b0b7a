/**
 * One page of rows as a table. At phone widths the stylesheet stacks each row and shows every cell's header
 * from its `data-label`, so every table of the console is built here to keep that working.
 */
import type { ReactNode } from 'react';

/** One column: header and cell, with an optional class for the cells. */
export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

/** The table of `rows`, one `<tr>` a row keyed by its id. */
export function DataTable<T extends { id: number }>({ rows, columns, testId }: { rows: readonly T[]; columns: ReadonlyArray<Column<T>>; testId: string }) {
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header}>{c.header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              {columns.map((c) => (
                <td key={c.header} data-label={c.header} className={c.className}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

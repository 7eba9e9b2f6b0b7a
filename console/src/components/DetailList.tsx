/** A definition list of label/value pairs for detail pages. */
import type { ReactNode } from 'react';

/** Renders `rows` as a two-column list that stacks on phones. */
export function DetailList({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <dl className="details">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value === '' || value === undefined || value === null ? '—' : value}</dd>
        </div>
      ))}
    </dl>
  );
}

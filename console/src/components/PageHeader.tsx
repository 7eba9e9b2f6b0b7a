/** A page title with optional actions on the right. */
import { type ReactNode, useEffect } from 'react';

/** Sets the document title and renders the heading. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · d7y console`;
  }, [title]);
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children && <div className="actions">{children}</div>}
    </header>
  );
}

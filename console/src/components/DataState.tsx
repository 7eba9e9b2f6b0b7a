/**
 * Loading, error and empty states around a page's data: a spinner line while the first load runs, the error
 * with a retry button, an empty message when there is nothing to show, and the content otherwise.
 */
import type { ReactNode } from 'react';

import type { Resource } from '../lib/useResource';

/** Shows `children(data)` once loaded; `isEmpty` decides when to show `empty` instead. */
export function DataState<T>({ resource, empty, isEmpty, children }: { resource: Resource<T>; empty?: ReactNode; isEmpty?: (data: T) => boolean; children: (data: T) => ReactNode }) {
  if (resource.error !== undefined && resource.data === undefined) return <ErrorBox message={resource.error} onRetry={() => void resource.reload()} />;
  if (resource.loading && resource.data === undefined) return <p className="loading" role="status">Loading…</p>;
  if (resource.data === undefined) return null;
  if (isEmpty?.(resource.data)) return <div className="empty">{empty ?? 'Nothing here yet.'}</div>;
  return (
    <>
      {resource.error !== undefined && <ErrorBox message={`Refresh failed: ${resource.error}`} onRetry={() => void resource.reload()} />}
      {children(resource.data)}
    </>
  );
}

/** An error message, with a retry button when `onRetry` is given. */
export function ErrorBox({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="error" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

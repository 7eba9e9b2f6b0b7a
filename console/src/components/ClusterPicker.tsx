/** Checkboxes for the scheduler clusters a job targets; none checked means every cluster. */
import { listAll } from '../api/client';
import type { Cluster } from '../api/types';
import { useResource } from '../lib/useResource';

/** The picker. */
export function ClusterPicker({ value, onChange }: { value: number[]; onChange: (ids: number[]) => void }) {
  const clusters = useResource(() => listAll<Cluster>('/api/v1/clusters'), []);
  return (
    <fieldset className="field">
      <legend>Scheduler clusters</legend>
      {clusters.error && <small className="field-error">Could not load clusters: {clusters.error}</small>}
      {clusters.loading && !clusters.data && <small className="muted">Loading clusters…</small>}
      <div className="checks">
        {(clusters.data ?? []).map((c) => (
          <label key={c.id} className="check">
            <input
              type="checkbox"
              name="scheduler_cluster_ids"
              value={c.scheduler_cluster_id}
              checked={value.includes(c.scheduler_cluster_id)}
              onChange={(e) => onChange(e.target.checked ? [...value, c.scheduler_cluster_id] : value.filter((id) => id !== c.scheduler_cluster_id))}
            />
            {c.name}
          </label>
        ))}
      </div>
      <small className="hint">None checked: every cluster.</small>
    </fieldset>
  );
}

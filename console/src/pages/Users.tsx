/** Users (root only): list, enable/disable, and grant or remove roles. */
import { useState } from 'react';

import { api, list } from '../api/client';
import type { User } from '../api/types';
import { DataState, ErrorBox } from '../components/DataState';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { StateBadge } from '../components/StateBadge';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useResource } from '../lib/useResource';

const PER_PAGE = 20;

function UserRoles({ user, roles, onError }: { user: User; roles: string[]; onError: (message: string | undefined) => void }) {
  const mine = useResource(() => api<string[]>('GET', `/api/v1/users/${user.id}/roles`), [user.id]);
  const [adding, setAdding] = useState('');
  const change = async (method: 'PUT' | 'DELETE', role: string) => {
    onError(undefined);
    try {
      await api(method, `/api/v1/users/${user.id}/roles/${encodeURIComponent(role)}`);
      await mine.reload();
    } catch (e) {
      onError(`${user.name}: ${(e as Error).message}`);
    }
  };
  return (
    <DataState resource={mine}>
      {(have) => (
        <div className="chips">
          {have.map((role) => (
            <span key={role} className="chip">
              {role}
              <button type="button" className="link" aria-label={`Remove role ${role} from ${user.name}`} onClick={() => void change('DELETE', role)}>
                ×
              </button>
            </span>
          ))}
          <select aria-label={`Add a role to ${user.name}`} value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">Add role…</option>
            {roles.filter((r) => !have.includes(r)).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <button type="button" disabled={adding === ''} onClick={() => void change('PUT', adding).then(() => setAdding(''))}>
            Add
          </button>
        </div>
      )}
    </DataState>
  );
}

/** `/users`. */
export function Users() {
  const session = useSession();
  const [page, setPage] = useState(1);
  const [error, setError] = useState<string | undefined>(undefined);
  const users = useResource(() => list<User>('/api/v1/users', { page, per_page: PER_PAGE }), [page]);
  const roles = useResource(() => api<string[]>('GET', '/api/v1/roles'), []);
  if (!session.isRoot) return <ErrorBox message="Only root users manage users." />;
  const setState = async (user: User, state: 'enable' | 'disable') => {
    setError(undefined);
    try {
      await api('PATCH', `/api/v1/users/${user.id}`, { state });
      await users.reload();
    } catch (e) {
      setError(`${user.name}: ${(e as Error).message}`);
    }
  };
  return (
    <>
      <PageHeader title="Users" />
      {error && <ErrorBox message={error} />}
      <DataState resource={users} isEmpty={(p) => p.items.length === 0} empty="No users.">
        {(p) => (
          <>
            <div className="table-wrap">
              <table data-testid="users-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Email</th>
                    <th>State</th>
                    <th>Roles</th>
                    <th>Created</th>
                    <th>Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((u) => (
                    <tr key={u.id}>
                      <td data-label="Name">{u.name}</td>
                      <td data-label="Email">{u.email || '—'}</td>
                      <td data-label="State">
                        <StateBadge state={u.state} />
                      </td>
                      <td data-label="Roles">
                        <UserRoles user={u} roles={roles.data ?? []} onError={setError} />
                      </td>
                      <td data-label="Created">{formatDate(u.created_at)}</td>
                      <td data-label="Actions">
                        {u.id !== session.me?.id &&
                          (u.state === 'enable' ? (
                            <button type="button" className="danger" onClick={() => void setState(u, 'disable')}>
                              Disable
                            </button>
                          ) : (
                            <button type="button" onClick={() => void setState(u, 'enable')}>
                              Enable
                            </button>
                          ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={page} perPage={PER_PAGE} total={p.total} onPage={setPage} />
          </>
        )}
      </DataState>
    </>
  );
}

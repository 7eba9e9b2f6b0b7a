/** Users (root only): list, enable/disable, and grant or remove roles. */
import { useState } from 'react';

import { api, list } from '../api/client';
import type { User } from '../api/types';
import { DataState, ErrorBox } from '../components/DataState';
import { type Column, DataTable } from '../components/DataTable';
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
  const columns: Array<Column<User>> = [
    { header: 'Name', cell: (u) => u.name },
    { header: 'Email', cell: (u) => u.email || '—' },
    { header: 'State', cell: (u) => <StateBadge state={u.state} /> },
    { header: 'Roles', cell: (u) => <UserRoles user={u} roles={roles.data ?? []} onError={setError} /> },
    { header: 'Created', cell: (u) => formatDate(u.created_at) },
    {
      header: 'Actions',
      cell: (u) =>
        u.id !== session.me?.id &&
        (u.state === 'enable' ? (
          <button type="button" className="danger" onClick={() => void setState(u, 'disable')}>
            Disable
          </button>
        ) : (
          <button type="button" onClick={() => void setState(u, 'enable')}>
            Enable
          </button>
        )),
    },
  ];
  return (
    <>
      <PageHeader title="Users" />
      {error && <ErrorBox message={error} />}
      <DataState resource={users} isEmpty={(p) => p.items.length === 0} empty="No users.">
        {(p) => (
          <>
            <DataTable rows={p.items} columns={columns} testId="users-table" />
            <Pager page={page} perPage={PER_PAGE} total={p.total} onPage={setPage} />
          </>
        )}
      </DataState>
    </>
  );
}

/** Roles (root only): list roles with their permissions, create a role from API groups, delete custom roles. */
import { type FormEvent, useState } from 'react';

import { api } from '../api/client';
import type { Permission } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataState, ErrorBox } from '../components/DataState';
import { TextField } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { useSession } from '../lib/session';
import { useResource } from '../lib/useResource';

const BUILT_IN = ['root', 'guest'];

/** Groups permissions by API group: `{clusters: '*', jobs: 'read'}` (`*` wins). */
export function permissionSummary(permissions: Permission[]): Record<string, 'read' | '*'> {
  const summary: Record<string, 'read' | '*'> = {};
  for (const p of permissions) if (summary[p.object] !== '*') summary[p.object] = p.action;
  return summary;
}

function CreateRole({ groups, onCreated }: { groups: string[]; onCreated: () => void }) {
  const [role, setRole] = useState('');
  const [grants, setGrants] = useState<Record<string, '' | 'read' | '*'>>({});
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const permissions = Object.entries(grants)
      .filter(([, action]) => action !== '')
      .map(([object, action]) => ({ object, action }));
    if (role.trim() === '' || permissions.length === 0) return setError('Name the role and grant at least one permission.');
    setError(undefined);
    try {
      await api('POST', '/api/v1/roles', { role: role.trim(), permissions });
      setRole('');
      setGrants({});
      onCreated();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>New role</h2>
      {error && <ErrorBox message={error} />}
      <TextField label="Role name" name="role" value={role} onChange={setRole} />
      <div className="grid-3">
        {groups.map((group) => (
          <label key={group} className="field">
            <span>{group}</span>
            <select value={grants[group] ?? ''} onChange={(e) => setGrants({ ...grants, [group]: e.target.value as '' | 'read' | '*' })}>
              <option value="">none</option>
              <option value="read">read</option>
              <option value="*">read and change</option>
            </select>
          </label>
        ))}
      </div>
      <button type="submit" className="primary">
        Create role
      </button>
    </form>
  );
}

/** `/roles`. */
export function Roles() {
  const session = useSession();
  const [error, setError] = useState<string | undefined>(undefined);
  const roles = useResource(async () => {
    const names = await api<string[]>('GET', '/api/v1/roles');
    return Promise.all(names.map(async (name) => ({ name, permissions: await api<Permission[]>('GET', `/api/v1/roles/${encodeURIComponent(name)}`) })));
  }, []);
  const groups = useResource(async () => [...new Set((await api<Permission[]>('GET', '/api/v1/permissions')).map((p) => p.object))].sort(), []);
  if (!session.isRoot) return <ErrorBox message="Only root users manage roles." />;
  const remove = async (name: string) => {
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/roles/${encodeURIComponent(name)}`);
      await roles.reload();
    } catch (e) {
      setError(`${name}: ${(e as Error).message}`);
    }
  };
  return (
    <>
      <PageHeader title="Roles" />
      {error && <ErrorBox message={error} />}
      <DataState resource={roles} isEmpty={(r) => r.length === 0} empty="No roles.">
        {(list) => (
          <div className="stack">
            {list.map((r) => (
              <section key={r.name} className="card">
                <div className="section-head">
                  <h2>
                    {r.name} {BUILT_IN.includes(r.name) && <span className="tag">built in</span>}
                  </h2>
                  {!BUILT_IN.includes(r.name) && <ConfirmButton label="Delete" onConfirm={() => remove(r.name)} />}
                </div>
                <div className="chips">
                  {Object.entries(permissionSummary(r.permissions)).map(([object, action]) => (
                    <span key={object} className="chip">
                      {object}: {action === '*' ? 'read and change' : 'read'}
                    </span>
                  ))}
                </div>
              </section>
            ))}
          </div>
        )}
      </DataState>
      {groups.data && <CreateRole groups={groups.data} onCreated={() => void roles.reload()} />}
    </>
  );
}

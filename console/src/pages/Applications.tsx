/** Applications with download priorities: list, create, edit and delete (admins of `applications`). */
import { type FormEvent, useState } from 'react';

import { api, list } from '../api/client';
import type { Application } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataState, ErrorBox } from '../components/DataState';
import { TextField } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { type ApplicationForm, applicationToForm, buildApplicationRequest, emptyApplicationForm } from '../lib/applicationForm';
import { useSession } from '../lib/session';
import { useResource } from '../lib/useResource';

function AppForm({ editing, onSaved, onCancel }: { editing: Application | undefined; onSaved: () => void; onCancel: () => void }) {
  const [form, setForm] = useState<ApplicationForm>(() => (editing ? applicationToForm(editing) : emptyApplicationForm()));
  const [errors, setErrors] = useState<Partial<Record<keyof ApplicationForm, string>>>({});
  const [error, setError] = useState<string | undefined>(undefined);
  const set = (key: keyof ApplicationForm) => (value: string) => setForm({ ...form, [key]: value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const request = buildApplicationRequest(form);
    if (!request.ok) return setErrors(request.errors);
    setErrors({});
    setError(undefined);
    try {
      await api(editing ? 'PATCH' : 'POST', editing ? `/api/v1/applications/${editing.id}` : '/api/v1/applications', request.body);
      setForm(emptyApplicationForm());
      onSaved();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>{editing ? `Edit ${editing.name}` : 'New application'}</h2>
      {error && <ErrorBox message={error} />}
      <div className="grid-2">
        <TextField label="Name" name="app_name" value={form.name} onChange={set('name')} error={errors.name} />
        <TextField label="URL" name="app_url" value={form.url} onChange={set('url')} />
        <TextField label="Default priority" name="priority" value={form.priority} onChange={set('priority')} error={errors.priority} hint="0 (lowest) to 6" />
        <TextField label="Description" name="app_bio" value={form.bio} onChange={set('bio')} />
      </div>
      <TextField label="URL priority rules" name="rules" value={form.rules} onChange={set('rules')} error={errors.rules} multiline hint='One "<level> <regex>" per line; the first match wins, for example: 5 ^https://registry\.example\.com/' />
      <div className="form-actions">
        <button type="submit" className="primary">
          {editing ? 'Save application' : 'Create application'}
        </button>
        {editing && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** `/applications`. */
export function Applications() {
  const session = useSession();
  const admin = session.can('applications', '*');
  const [editing, setEditing] = useState<Application | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const apps = useResource(() => list<Application>('/api/v1/applications', { page: 1, per_page: 1000 }), []);
  const remove = async (app: Application) => {
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/applications/${app.id}`);
      await apps.reload();
    } catch (e) {
      setError(`${app.name}: ${(e as Error).message}`);
    }
  };
  return (
    <>
      <PageHeader title="Applications" />
      {error && <ErrorBox message={error} />}
      <section className="card">
        <DataState resource={apps} isEmpty={(p) => p.items.length === 0} empty="No applications. Applications give downloads that name them a priority.">
          {(p) => (
            <div className="table-wrap">
              <table data-testid="applications-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Priority</th>
                    <th>URL rules</th>
                    <th>URL</th>
                    {admin && <th>Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((app) => (
                    <tr key={app.id}>
                      <td data-label="Name">
                        {app.name}
                        {app.bio && <div className="muted small">{app.bio}</div>}
                      </td>
                      <td data-label="Priority">{app.priority?.value ?? 0}</td>
                      <td data-label="URL rules" className="break">
                        {(app.priority?.urls ?? []).map((r) => `${r.value}: ${r.regex}`).join('; ') || '—'}
                      </td>
                      <td data-label="URL" className="break">
                        {app.url || '—'}
                      </td>
                      {admin && (
                        <td data-label="Actions" className="row-actions">
                          <button type="button" onClick={() => setEditing(app)}>
                            Edit
                          </button>
                          <ConfirmButton label="Delete" onConfirm={() => remove(app)} />
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </DataState>
      </section>
      {admin && (
        <AppForm
          key={editing?.id ?? 'new'}
          editing={editing}
          onCancel={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            void apps.reload();
          }}
        />
      )}
    </>
  );
}

/**
 * Personal access tokens: create (the value is shown once, here, and never stored by the console), list and
 * revoke. Tokens call the open API (`/oapi/v1/jobs` with scope `job`, `/oapi/v1/clusters` with `cluster`).
 */
import { type FormEvent, useState } from 'react';

import { api, list } from '../api/client';
import type { PersonalAccessToken } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { DataState, ErrorBox } from '../components/DataState';
import { SelectField, TextField } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { StateBadge } from '../components/StateBadge';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useResource } from '../lib/useResource';

/** The expiry date `days` from `now`, as the ISO string the API takes. */
export function expiryFromDays(days: number, now = Date.now()): string {
  return new Date(now + days * 86_400_000).toISOString();
}

function NewToken({ token, onDone }: { token: PersonalAccessToken; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="card once" role="status" data-testid="new-token">
      <h2>Token "{token.name}" created</h2>
      <p>Copy it now: it is shown only once and cannot be read again.</p>
      <code className="token" data-testid="new-token-value">
        {token.token}
      </code>
      <div className="form-actions">
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(token.token ?? '').then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="primary" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </section>
  );
}

function CreateToken({ onCreated }: { onCreated: (token: PersonalAccessToken) => void }) {
  const [name, setName] = useState('');
  const [bio, setBio] = useState('');
  const [scopes, setScopes] = useState<Array<'job' | 'cluster'>>(['job']);
  const [days, setDays] = useState('90');
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') return setError('Name the token.');
    if (scopes.length === 0) return setError('Pick at least one scope.');
    setError(undefined);
    try {
      onCreated(await api<PersonalAccessToken>('POST', '/api/v1/personal-access-tokens', { name: name.trim(), bio, scopes, expired_at: expiryFromDays(Number(days)) }));
      setName('');
      setBio('');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const toggle = (scope: 'job' | 'cluster') => setScopes(scopes.includes(scope) ? scopes.filter((s) => s !== scope) : [...scopes, scope]);
  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>New token</h2>
      {error && <ErrorBox message={error} />}
      <div className="grid-2">
        <TextField label="Name" name="token_name" value={name} onChange={setName} />
        <SelectField label="Expires in" name="expires" value={days} onChange={setDays} options={[['7', '7 days'], ['30', '30 days'], ['90', '90 days'], ['365', '1 year'], ['3650', '10 years']]} />
        <TextField label="Description" name="token_bio" value={bio} onChange={setBio} />
        <fieldset className="field">
          <legend>Scopes</legend>
          <label className="check">
            <input type="checkbox" name="scope_job" checked={scopes.includes('job')} onChange={() => toggle('job')} /> job (preheat and task jobs)
          </label>
          <label className="check">
            <input type="checkbox" name="scope_cluster" checked={scopes.includes('cluster')} onChange={() => toggle('cluster')} /> cluster (cluster API)
          </label>
        </fieldset>
      </div>
      <button type="submit" className="primary">
        Create token
      </button>
    </form>
  );
}

/** `/tokens`. */
export function Tokens() {
  const session = useSession();
  const [created, setCreated] = useState<PersonalAccessToken | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const tokens = useResource(() => list<PersonalAccessToken>('/api/v1/personal-access-tokens', { page: 1, per_page: 1000 }), []);
  const admin = session.can('personal-access-tokens', '*');
  const revoke = async (token: PersonalAccessToken) => {
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/personal-access-tokens/${token.id}`);
      await tokens.reload();
    } catch (e) {
      setError(`Could not revoke ${token.name}: ${(e as Error).message}`);
    }
  };
  return (
    <>
      <PageHeader title="Personal access tokens" />
      {created && <NewToken token={created} onDone={() => setCreated(undefined)} />}
      {admin ? (
        <CreateToken
          onCreated={(token) => {
            setCreated(token);
            void tokens.reload();
          }}
        />
      ) : (
        <p className="notice">Your role cannot create tokens.</p>
      )}
      {error && <ErrorBox message={error} />}
      <section className="card">
        <h2>Tokens</h2>
        <DataState resource={tokens} isEmpty={(p) => p.items.length === 0} empty="No tokens yet.">
          {(p) => (
            <div className="table-wrap">
              <table data-testid="tokens-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Scopes</th>
                    <th>State</th>
                    <th>Expires</th>
                    <th>Last used</th>
                    {admin && <th>Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((t) => (
                    <tr key={t.id}>
                      <td data-label="Name">
                        {t.name}
                        {t.bio && <div className="muted small">{t.bio}</div>}
                      </td>
                      <td data-label="Scopes">{t.scopes.join(', ')}</td>
                      <td data-label="State">
                        <StateBadge state={t.state} />
                      </td>
                      <td data-label="Expires">{formatDate(t.expired_at)}</td>
                      <td data-label="Last used">{formatDate(t.last_used_at)}</td>
                      {admin && (
                        <td data-label="Actions">
                          <ConfirmButton label="Revoke" onConfirm={() => revoke(t)} />
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
    </>
  );
}

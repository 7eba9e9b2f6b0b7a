/**
 * Profile page: the user's details (`PATCH /api/v1/users/:id`) and password change
 * (`POST /api/v1/users/:id/reset_password`, which ends every session, so the user signs in again).
 */
import { type FormEvent, useState } from 'react';

import { api } from '../api/client';
import { ErrorBox } from '../components/DataState';
import { DetailList } from '../components/DetailList';
import { TextField } from '../components/Field';
import { PageHeader } from '../components/PageHeader';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';

function ProfileForm() {
  const session = useSession();
  const me = session.me!;
  const [email, setEmail] = useState(me.email ?? '');
  const [phone, setPhone] = useState(me.phone ?? '');
  const [location, setLocation] = useState(me.location ?? '');
  const [bio, setBio] = useState(me.bio ?? '');
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(undefined);
    setError(undefined);
    try {
      await api('PATCH', `/api/v1/users/${me.id}`, { ...(email.trim() ? { email: email.trim() } : {}), phone, location, bio });
      await session.reload();
      setMessage('Profile saved.');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form className="card" onSubmit={submit}>
      <h2>Details</h2>
      {error && <ErrorBox message={error} />}
      {message && <p className="success" role="status">{message}</p>}
      <TextField label="Email" type="email" value={email} onChange={setEmail} />
      <TextField label="Phone" value={phone} onChange={setPhone} />
      <TextField label="Location" value={location} onChange={setLocation} />
      <TextField label="Bio" value={bio} onChange={setBio} multiline />
      <button type="submit" className="primary">
        Save profile
      </button>
    </form>
  );
}

function PasswordForm() {
  const session = useSession();
  const [oldPassword, setOldPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const problem = newPassword !== '' && (newPassword.length < 8 || newPassword.length > 128) ? '8 to 128 characters' : confirm !== '' && confirm !== newPassword ? 'the passwords differ' : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (problem || newPassword === '' || confirm !== newPassword) return;
    setError(undefined);
    try {
      await api('POST', `/api/v1/users/${session.me!.id}/reset_password`, { old_password: oldPassword, new_password: newPassword });
      await session.signOut();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form className="card" onSubmit={submit}>
      <h2>Change password</h2>
      <p className="muted">Changing the password signs you out everywhere.</p>
      {error && <ErrorBox message={error} />}
      <TextField label="Current password" type="password" value={oldPassword} onChange={setOldPassword} autoComplete="current-password" />
      <TextField label="New password" type="password" value={newPassword} onChange={setNewPassword} error={problem} autoComplete="new-password" />
      <TextField label="Repeat new password" type="password" value={confirm} onChange={setConfirm} autoComplete="new-password" />
      <button type="submit" className="primary" disabled={oldPassword === '' || newPassword === '' || confirm !== newPassword || problem !== undefined}>
        Change password
      </button>
    </form>
  );
}

/** The profile page. */
export function Profile() {
  const { me } = useSession();
  if (!me) return null;
  return (
    <>
      <PageHeader title="Profile" />
      <section className="card">
        <DetailList
          rows={[
            ['Name', me.name],
            ['Roles', me.roles.join(', ')],
            ['State', me.state],
            ['Member since', formatDate(me.created_at)],
          ]}
        />
      </section>
      <div className="grid-2">
        <ProfileForm />
        <PasswordForm />
      </div>
    </>
  );
}

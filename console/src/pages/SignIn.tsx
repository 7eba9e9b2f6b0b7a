/** Sign-in page: name and password against `POST /api/v1/users/signin`; links to sign-up. */
import { type FormEvent, useState } from 'react';

import { ErrorBox } from '../components/DataState';
import { TextField } from '../components/Field';
import { Link } from '../lib/router';
import { useSession } from '../lib/session';

/** The sign-in form. */
export function SignIn({ notice }: { notice?: string }) {
  const session = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await session.signIn(name.trim(), password);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to d7y</h1>
        {notice && <p className="notice">{notice}</p>}
        {error && <ErrorBox message={error} />}
        <TextField label="Name" name="name" value={name} onChange={setName} autoComplete="username" />
        <TextField label="Password" name="password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        <button type="submit" className="primary" disabled={busy || name === '' || password === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          No account? <Link to="/signup">Sign up</Link>
        </p>
      </form>
    </div>
  );
}

/** Sign-up page: `POST /api/v1/users/signup` creates a guest (read-only) account, then signs in. */
import { type FormEvent, useState } from 'react';

import { api } from '../api/client';
import { ErrorBox } from '../components/DataState';
import { TextField } from '../components/Field';
import { Link, navigate } from '../lib/router';
import { useSession } from '../lib/session';

/** Checks the sign-up fields as the manager does: name 3–10 of [A-Za-z0-9_.-], password 8–128. */
export function signUpProblems(name: string, password: string, confirm: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!/^[A-Za-z0-9_.-]{3,10}$/.test(name)) problems.name = '3 to 10 letters, digits, "_", "." or "-"';
  if (password.length < 8 || password.length > 128) problems.password = '8 to 128 characters';
  if (confirm !== password) problems.confirm = 'the passwords differ';
  return problems;
}

/** The sign-up form. */
export function SignUp() {
  const session = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const problems = signUpProblems(name, password, confirm);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/api/v1/users/signup', { name, password, ...(email.trim() ? { email: email.trim() } : {}) });
      await session.signIn(name, password);
      navigate('/', { replace: true });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="signup-title">
        <h1 id="signup-title">Create an account</h1>
        <p className="muted">New accounts are guests: they can read everything and change nothing.</p>
        {error && <ErrorBox message={error} />}
        <TextField label="Name" name="name" value={name} onChange={setName} error={touched ? problems.name : undefined} autoComplete="username" />
        <TextField label="Email (optional)" name="email" type="email" value={email} onChange={setEmail} autoComplete="email" />
        <TextField label="Password" name="password" type="password" value={password} onChange={setPassword} error={touched ? problems.password : undefined} autoComplete="new-password" />
        <TextField label="Repeat password" name="confirm" type="password" value={confirm} onChange={setConfirm} error={touched ? problems.confirm : undefined} autoComplete="new-password" />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Sign up'}
        </button>
        <p className="muted">
          Have an account? <Link to="/">Sign in</Link>
        </p>
      </form>
    </div>
  );
}

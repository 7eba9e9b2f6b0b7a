/**
 * The signed-in frame: a top bar with the user and sign-out, a navigation list (a collapsible menu on phones)
 * and the page. Root-only pages (users, roles) appear only for root users.
 */
import { type ReactNode, useState } from 'react';

import { Link, usePath } from '../lib/router';
import { useSession } from '../lib/session';

const NAV: Array<{ to: string; label: string; rootOnly?: boolean }> = [
  { to: '/', label: 'Overview' },
  { to: '/clusters', label: 'Clusters' },
  { to: '/schedulers', label: 'Schedulers' },
  { to: '/seed-peers', label: 'Seed peers' },
  { to: '/peers', label: 'Peers' },
  { to: '/jobs', label: 'Preheat & jobs' },
  { to: '/tasks', label: 'Tasks' },
  { to: '/applications', label: 'Applications' },
  { to: '/tokens', label: 'Access tokens' },
  { to: '/users', label: 'Users', rootOnly: true },
  { to: '/roles', label: 'Roles', rootOnly: true },
];

function isCurrent(to: string, path: string): boolean {
  const bare = path.split('?')[0];
  return to === '/' ? bare === '/' : bare === to || bare.startsWith(`${to}/`);
}

/** The frame around every signed-in page. */
export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const path = usePath();
  const [open, setOpen] = useState(false);
  return (
    <div className="shell">
      <header className="topbar">
        <button type="button" className="menu-toggle" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
          ☰ <span className="sr-only">Menu</span>
        </button>
        <Link to="/" className="brand">
          d7y <span>console</span>
        </Link>
        <div className="user">
          <Link to="/profile" data-testid="current-user">
            {session.me?.name}
          </Link>
          <span className="role">{session.isRoot ? 'root' : (session.me?.roles ?? []).join(', ') || 'no role'}</span>
          <button type="button" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="nav" className={`sidenav${open ? ' open' : ''}`} aria-label="Main">
        <ul>
          {NAV.filter((item) => !item.rootOnly || session.isRoot).map((item) => (
            <li key={item.to}>
              <Link to={item.to} aria-current={isCurrent(item.to, path) ? 'page' : undefined} onClick={() => setOpen(false)}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}

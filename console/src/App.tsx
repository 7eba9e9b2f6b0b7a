/** The app: the session decides between the sign-in pages and the signed-in pages of `ROUTES`. */
import { Layout } from './components/Layout';
import { ErrorBox } from './components/DataState';
import { PageHeader } from './components/PageHeader';
import { Link, matchRoute, usePath } from './lib/router';
import { useSession } from './lib/session';
import { ROUTES } from './routes';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is no page here. <Link to="/">Go to the overview</Link>.
      </p>
    </>
  );
}

/** The root component. */
export function App() {
  const session = useSession();
  const path = usePath();
  if (session.me === undefined) {
    return session.loadError ? (
      <div className="auth-page">
        <ErrorBox message={`Cannot reach the manager: ${session.loadError}`} onRetry={() => void session.reload()} />
      </div>
    ) : (
      <p className="loading center" role="status">
        Loading…
      </p>
    );
  }
  if (session.me === null) return matchRoute('/signup', path) ? <SignUp /> : <SignIn />;
  for (const route of ROUTES) {
    const params = matchRoute(route.pattern, path);
    if (params) return <Layout key={route.pattern}>{route.render(params)}</Layout>;
  }
  return (
    <Layout>
      <NotFound />
    </Layout>
  );
}

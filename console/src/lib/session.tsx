/**
 * The signed-in user, for every page. The session itself is the manager's HttpOnly `jwt` cookie: scripts
 * cannot read it, so the console asks `GET /api/v1/users/me` who is signed in and keeps only that profile
 * (name, roles, permissions) in memory. Nothing is written to localStorage or sessionStorage.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

import { api, ApiError, setUnauthenticatedHandler } from '../api/client';
import type { Me } from '../api/types';
import { can, isRoot } from './permissions';

/** What pages read from the session. */
export interface Session {
  /** `undefined` while loading, `null` when signed out. */
  me: Me | null | undefined;
  /** An error other than "not signed in" while loading the profile. */
  loadError: string | undefined;
  signIn(name: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  reload(): Promise<void>;
  can(group: string, action: 'read' | '*'): boolean;
  isRoot: boolean;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** Provides the session to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);

  const reload = useCallback(async () => {
    try {
      setMe(await api<Me>('GET', '/api/v1/users/me'));
      setLoadError(undefined);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setMe(null);
      else setLoadError((error as Error).message);
    }
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => setMe(null));
    void reload();
  }, [reload]);

  const value = useMemo<Session>(
    () => ({
      me,
      loadError,
      reload,
      async signIn(name, password) {
        // The answer also carries the token; it is not kept: the cookie set with it is the session.
        await api('POST', '/api/v1/users/signin', { name, password });
        await reload();
      },
      async signOut() {
        await api('POST', '/api/v1/users/signout').catch(() => undefined);
        setMe(null);
      },
      can: (group, action) => can(me?.permissions, group, action),
      isRoot: isRoot(me?.roles),
    }),
    [me, loadError, reload],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session (inside `SessionProvider`). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside SessionProvider');
  return session;
}

// Who is signed in. The session is fetched once at start-up and kept in the query cache under
// ['session']; signing in, accepting an invitation and signing out replace it. Any API call
// that answers 401 `unauthenticated` clears it, which sends protected pages to /login.
import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, setCsrfToken } from './api/client';
import { api } from './api/endpoints';
import { sessionKeys } from './api/queryKeys';
import type { Session, User } from './api/types';

export async function fetchSession(): Promise<Session | null> {
  try {
    const session = await api.session();
    setCsrfToken(session.csrf_token);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

// Whether the session ended because the user signed out here (rather than expiring). The route
// guard then sends them to a plain /login instead of offering to come back to the page they
// were on. A module variable, not state: it must be right in whichever render sees the
// session gone, whatever order React runs the router's and the cache's updates in.
let signedOutHere = false;

export function wasSignedOutHere(): boolean {
  return signedOutHere;
}

/** The session expired or was revoked elsewhere. */
export function sessionLost(): void {
  signedOutHere = false;
}

/**
 * When (ms since the epoch) the account was deleted in this tab, in session storage: the
 * settings page sets it, the sign-in page says so.
 */
export const ACCOUNT_DELETED_KEY = 'kindred-account-deleted';

interface SessionValue {
  session: Session | null;
  user: User | null;
  /**
   * Replaces the session after sign-in, or with null after signing out here, dropping cached
   * data either way.
   */
  setSession: (session: Session | null) => void;
  /** Updates the signed-in user in place (after a profile save). */
  setUser: (user: User) => void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ session, children }: { session: Session | null; children: ReactNode }) {
  const queryClient = useQueryClient();
  const setSession = useCallback(
    (next: Session | null) => {
      signedOutHere = next === null;
      setCsrfToken(next?.csrf_token ?? null);
      // Another person's (or nobody's) data must not linger in the cache.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKeys.current[0] });
      queryClient.setQueryData(sessionKeys.current, next);
    },
    [queryClient],
  );
  const setUser = useCallback(
    (user: User) => {
      queryClient.setQueryData<Session | null>(sessionKeys.current, (old) => (old ? { ...old, user } : old));
    },
    [queryClient],
  );
  const value = useMemo(
    () => ({ session, user: session?.user ?? null, setSession, setUser }),
    [session, setSession, setUser],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The session query itself, for the app root. */
export function useSessionQuery() {
  return useQuery({
    queryKey: sessionKeys.current,
    queryFn: fetchSession,
    staleTime: Infinity,
    retry: 1,
  });
}

/** True when the user may coordinate the given program. */
export function canCoordinate(user: User | null, myRole: string | null | undefined): boolean {
  return myRole === 'coordinator' || Boolean(user?.is_admin);
}

export function canCreatePrograms(user: User | null): boolean {
  return Boolean(user && (user.can_create_programs || user.is_admin));
}

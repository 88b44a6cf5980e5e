// Routes, the query client and the session gate.
import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, RouterProvider, useLocation, type RouteObject } from 'react-router';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from './api/client';
import { Layout } from './components/Layout';
import { Loading, PageHeading } from './components/Page';
import { SESSION_KEY, SessionProvider, sessionLost, useSession, useSessionQuery, wasSignedOutHere } from './session';
import { LoginPage } from './pages/LoginPage';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { InvitePage } from './pages/InvitePage';
import { ProfilePage } from './pages/ProfilePage';
import { ProgramsPage } from './pages/ProgramsPage';
import { ProgramPage } from './pages/ProgramPage';
import { OutboxPage } from './pages/OutboxPage';
import { MessagesPage } from './pages/MessagesPage';
import { QuestionnairePage } from './pages/QuestionnairePage';
import { MatchesPage } from './pages/MatchesPage';
import { MatchingPage } from './pages/MatchingPage';
import { MeetingsPage } from './pages/MeetingsPage';
import { EventsPage } from './pages/EventsPage';
import { EventPage } from './pages/EventPage';
import { ProgramDataPage } from './pages/ProgramDataPage';
import { SurveysPage } from './pages/SurveysPage';
import { SettingsPage } from './pages/SettingsPage';
import { UnsubscribePage } from './pages/UnsubscribePage';
import { AuditPage } from './pages/AuditPage';
import { NotFoundPage } from './pages/NotFoundPage';

function onApiError(error: unknown) {
  if (!(error instanceof ApiError)) return;
  if (error.code === 'unauthenticated') {
    // A session that expired or was revoked elsewhere: forget it, and the route guard sends
    // the user to /login with the current path to come back to.
    sessionLost();
    queryClient.setQueryData(SESSION_KEY, null);
  } else if (error.code === 'csrf_failed') {
    // Our CSRF token is stale (the session was renewed): fetch the session again so that the
    // user's next attempt carries the current token.
    void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
  }
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

function RequireAuth({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) {
    if (wasSignedOutHere()) return <Navigate to="/login" replace />;
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}

function RequireAdmin({ children }: { children: ReactNode }) {
  const { user } = useSession();
  if (!user?.is_admin) {
    return (
      <>
        <PageHeading title="Not allowed">Not allowed</PageHeading>
        <p>This page is for administrators.</p>
      </>
    );
  }
  return children;
}

const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/programs" replace /> },
      { path: 'login', element: <LoginPage /> },
      { path: 'forgot-password', element: <ForgotPasswordPage /> },
      { path: 'reset-password/:token', element: <ResetPasswordPage /> },
      { path: 'invite/:token', element: <InvitePage /> },
      { path: 'unsubscribe', element: <UnsubscribePage /> },
      { path: 'profile', element: <RequireAuth><ProfilePage /></RequireAuth> },
      { path: 'programs', element: <RequireAuth><ProgramsPage /></RequireAuth> },
      { path: 'programs/:id', element: <RequireAuth><ProgramPage /></RequireAuth> },
      { path: 'programs/:id/questionnaire', element: <RequireAuth><QuestionnairePage /></RequireAuth> },
      { path: 'programs/:id/matching', element: <RequireAuth><MatchingPage /></RequireAuth> },
      { path: 'programs/:id/data', element: <RequireAuth><ProgramDataPage /></RequireAuth> },
      { path: 'surveys', element: <RequireAuth><SurveysPage /></RequireAuth> },
      { path: 'settings', element: <RequireAuth><SettingsPage /></RequireAuth> },
      { path: 'matches', element: <RequireAuth><MatchesPage /></RequireAuth> },
      { path: 'meetings', element: <RequireAuth><MeetingsPage /></RequireAuth> },
      { path: 'events', element: <RequireAuth><EventsPage /></RequireAuth> },
      { path: 'events/:id', element: <RequireAuth><EventPage /></RequireAuth> },
      { path: 'messages', element: <RequireAuth><MessagesPage /></RequireAuth> },
      { path: 'messages/:channelId', element: <RequireAuth><MessagesPage /></RequireAuth> },
      {
        path: 'admin/outbox',
        element: (
          <RequireAuth>
            <RequireAdmin>
              <OutboxPage />
            </RequireAdmin>
          </RequireAuth>
        ),
      },
      {
        path: 'admin/audit',
        element: (
          <RequireAuth>
            <RequireAdmin>
              <AuditPage />
            </RequireAdmin>
          </RequireAuth>
        ),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

const router = createBrowserRouter(routes);

function SessionGate() {
  const session = useSessionQuery();
  if (session.isPending) {
    return (
      <main id="main">
        <Loading />
      </main>
    );
  }
  if (session.isError) {
    return (
      <main id="main">
        <h1>Kindred is unavailable</h1>
        <p role="alert">{errorMessage(session.error)}</p>
        <button type="button" onClick={() => void session.refetch()}>
          Try again
        </button>
      </main>
    );
  }
  return (
    <SessionProvider session={session.data}>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionGate />
    </QueryClientProvider>
  );
}

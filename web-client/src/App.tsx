// Routes, the query client and the session gate. Pages load lazily, one chunk per area
// (src/routes/); the protected pages sit under one layout route that checks the session, and
// the admin pages under a second one that checks the role.
import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation, type RouteObject } from 'react-router';
import { Suspense } from 'react';
import { ApiError, errorMessage } from './api/client';
import { sessionKeys } from './api/queryKeys';
import { Layout } from './components/Layout';
import { Loading, PageHeading } from './components/Page';
import { SessionProvider, sessionLost, useSession, useSessionQuery, wasSignedOutHere } from './session';
import { NotFoundPage } from './pages/NotFoundPage';
import { lazyPage, PageLoadFailed } from './routes/lazy';

const auth = () => import('./routes/auth');
const account = () => import('./routes/account');
const programs = () => import('./routes/programs');
const matching = () => import('./routes/matching');
const conversations = () => import('./routes/conversations');
const data = () => import('./routes/data');
const admin = () => import('./routes/admin');

const LoginPage = lazyPage(auth, (m) => m.LoginPage);
const ForgotPasswordPage = lazyPage(auth, (m) => m.ForgotPasswordPage);
const ResetPasswordPage = lazyPage(auth, (m) => m.ResetPasswordPage);
const InvitePage = lazyPage(auth, (m) => m.InvitePage);
const UnsubscribePage = lazyPage(auth, (m) => m.UnsubscribePage);
const ProfilePage = lazyPage(account, (m) => m.ProfilePage);
const SettingsPage = lazyPage(account, (m) => m.SettingsPage);
const HelpPage = lazyPage(account, (m) => m.HelpPage);
const ProgramsPage = lazyPage(programs, (m) => m.ProgramsPage);
const ProgramPage = lazyPage(programs, (m) => m.ProgramPage);
const QuestionnairePage = lazyPage(matching, (m) => m.QuestionnairePage);
const MatchingPage = lazyPage(matching, (m) => m.MatchingPage);
const MatchesPage = lazyPage(matching, (m) => m.MatchesPage);
const MessagesPage = lazyPage(conversations, (m) => m.MessagesPage);
const MeetingsPage = lazyPage(conversations, (m) => m.MeetingsPage);
const EventsPage = lazyPage(conversations, (m) => m.EventsPage);
const EventPage = lazyPage(conversations, (m) => m.EventPage);
const ProgramDataPage = lazyPage(data, (m) => m.ProgramDataPage);
const SurveysPage = lazyPage(data, (m) => m.SurveysPage);
const OutboxPage = lazyPage(admin, (m) => m.OutboxPage);
const AuditPage = lazyPage(admin, (m) => m.AuditPage);

function onApiError(error: unknown) {
  if (!(error instanceof ApiError)) return;
  if (error.code === 'unauthenticated') {
    // A session that expired or was revoked elsewhere: forget it, and the route guard sends
    // the user to /login with the current path to come back to.
    sessionLost();
    queryClient.setQueryData(sessionKeys.current, null);
  } else if (error.code === 'csrf_failed') {
    // Our CSRF token is stale (the session was renewed): fetch the session again so that the
    // user's next attempt carries the current token.
    void queryClient.invalidateQueries({ queryKey: sessionKeys.current });
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

/** The layout of every protected page: signed out, they send you to sign in and back. */
function RequireAuth() {
  const { session } = useSession();
  const location = useLocation();
  if (!session) {
    if (wasSignedOutHere()) return <Navigate to="/login" replace />;
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

/** The layout of the administrators' pages, inside RequireAuth. */
function RequireAdmin() {
  const { user } = useSession();
  if (!user?.is_admin) {
    return (
      <>
        <PageHeading title="Not allowed">Not allowed</PageHeading>
        <p>This page is for administrators.</p>
      </>
    );
  }
  return <Outlet />;
}

const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      {
        // Inside the frame, so the header stays while a page's area loads or fails to.
        element: (
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        ),
        errorElement: <PageLoadFailed />,
        children: [
          { index: true, element: <Navigate to="/programs" replace /> },
          { path: 'login', element: <LoginPage /> },
          { path: 'forgot-password', element: <ForgotPasswordPage /> },
          { path: 'reset-password/:token', element: <ResetPasswordPage /> },
          { path: 'invite/:token', element: <InvitePage /> },
          { path: 'unsubscribe', element: <UnsubscribePage /> },
          {
            element: <RequireAuth />,
            children: [
              { path: 'profile', element: <ProfilePage /> },
              { path: 'programs', element: <ProgramsPage /> },
              { path: 'programs/:id', element: <ProgramPage /> },
              { path: 'programs/:id/questionnaire', element: <QuestionnairePage /> },
              { path: 'programs/:id/matching', element: <MatchingPage /> },
              { path: 'programs/:id/data', element: <ProgramDataPage /> },
              { path: 'surveys', element: <SurveysPage /> },
              { path: 'settings', element: <SettingsPage /> },
              { path: 'help', element: <HelpPage /> },
              { path: 'matches', element: <MatchesPage /> },
              { path: 'meetings', element: <MeetingsPage /> },
              { path: 'events', element: <EventsPage /> },
              { path: 'events/:id', element: <EventPage /> },
              { path: 'messages', element: <MessagesPage /> },
              { path: 'messages/:channelId', element: <MessagesPage /> },
              {
                element: <RequireAdmin />,
                children: [
                  { path: 'admin/outbox', element: <OutboxPage /> },
                  { path: 'admin/audit', element: <AuditPage /> },
                ],
              },
            ],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
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

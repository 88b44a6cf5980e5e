// The frame of every page: a skip link, the header with the main navigation and the account
// actions, and the <main> landmark the routes render into. It also holds the chat connection
// of whoever is signed in, so messages, unread counts and presence are live on every page, and
// their calls: a call rings, and goes on, whichever page is open. The dialogs that confirm blocking
// someone and that report something live here too, so that they outlast the call or page that
// opened them; and above every page's content, the codes of conduct I have yet to accept.
import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { api } from '../api/endpoints';
import { useSession } from '../session';
import { ChatProvider, useChat } from '../chat/ChatProvider';
import { totalUnread } from '../chat/state';
import { CallProvider } from '../call/CallProvider';
import { CallLayer } from './call/CallLayer';
import { BlockingProvider } from './safety/Blocking';
import { ConductPrompt } from './safety/ConductPrompt';
import { ReportingProvider } from './safety/Reporting';
import { ModerationProvider } from './safety/Moderation';
import { ReportNoticesBar } from './safety/ReportNoticesBar';
import { MeetingNoticesBar } from './meetings/MeetingNoticesBar';

/** The Messages link, with the number of unread messages when there are any. */
function MessagesLink() {
  const { state } = useChat();
  const unread = totalUnread(state);
  return (
    <NavLink to="/messages">
      Messages
      {unread > 0 ? (
        <span className="nav-badge">
          {unread}
          <span className="visually-hidden"> unread</span>
        </span>
      ) : null}
    </NavLink>
  );
}

export function Layout() {
  return (
    <ChatProvider>
      <CallProvider>
        <BlockingProvider>
          <ReportingProvider>
            <ModerationProvider>
              <Frame />
            </ModerationProvider>
          </ReportingProvider>
        </BlockingProvider>
      </CallProvider>
    </ChatProvider>
  );
}

function Frame() {
  const { user, setSession } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);

  const signOut = useMutation({
    mutationFn: (everywhere: boolean) => (everywhere ? api.logoutAll() : api.logout()),
    onSuccess: () => {
      setError(null);
      setSession(null);
      navigate('/login', { replace: true });
    },
    onError: (e) => setError(errorMessage(e)),
  });

  return (
    <>
      <header className="site-header">
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        <div className="header-inner">
          <NavLink to={user ? '/programs' : '/login'} className="brand">
            Kindred
          </NavLink>
          {user ? (
            <nav aria-label="Main" className="main-nav">
              <ul>
                <li>
                  <NavLink to="/programs">Programs</NavLink>
                </li>
                <li>
                  <MessagesLink />
                </li>
                <li>
                  <NavLink to="/meetings">Meetings</NavLink>
                </li>
                <li>
                  <NavLink to="/events">Events</NavLink>
                </li>
                <li>
                  <NavLink to="/matches">My matches</NavLink>
                </li>
                <li>
                  <NavLink to="/surveys">Surveys</NavLink>
                </li>
                <li>
                  <NavLink to="/profile">Profile</NavLink>
                </li>
                <li>
                  <NavLink to="/settings">Settings</NavLink>
                </li>
                {user.is_admin ? (
                  <>
                    <li>
                      <NavLink to="/admin/outbox">Outbox</NavLink>
                    </li>
                    <li>
                      <NavLink to="/admin/audit">Audit log</NavLink>
                    </li>
                  </>
                ) : null}
              </ul>
            </nav>
          ) : null}
          {user ? (
            <div className="account">
              <NavLink to="/help" className="help-link">
                Get help now
              </NavLink>
              <span className="account-name">
                <span className="visually-hidden">Signed in as </span>
                {user.name}
              </span>
              <button
                type="button"
                className="button-link"
                onClick={() => signOut.mutate(false)}
                disabled={signOut.isPending}
              >
                Sign out
              </button>
              <button
                type="button"
                className="button-link"
                onClick={() => {
                  if (window.confirm('Sign out on every device, and revoke all your API tokens?')) {
                    signOut.mutate(true);
                  }
                }}
                disabled={signOut.isPending}
              >
                Sign out everywhere
              </button>
            </div>
          ) : (
            <nav aria-label="Account" className="main-nav">
              <ul>
                <li>
                  <NavLink to="/login">Sign in</NavLink>
                </li>
              </ul>
            </nav>
          )}
        </div>
        {error ? (
          <div className="alert alert-error header-alert" role="alert">
            {error}
          </div>
        ) : null}
        {user ? <MeetingNoticesBar /> : null}
        {user ? <ReportNoticesBar /> : null}
      </header>
      <main id="main" tabIndex={-1}>
        {user ? <ConductPrompt /> : null}
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>Kindred — open-source mentoring.</p>
      </footer>
      <CallLayer />
    </>
  );
}

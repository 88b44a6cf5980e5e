// Notices raised by live meeting frames, on every page: reminders 15 minutes before a meeting,
// the other person proposing a time or accepting mine; and by `group_event` frames (a reminder,
// a cancellation), which lead to the event. A polite live region that is always in
// the DOM, so each new notice is announced; each can be dismissed.
import { Link, useLocation } from 'react-router';
import { useMeetingNotices } from '../../chat/ChatProvider';

export function MeetingNoticesBar() {
  const { store, notices } = useMeetingNotices();
  const { pathname } = useLocation();
  return (
    <div className="meeting-notices" role="status" aria-label="Meeting notices">
      {notices.map((n) => (
        <div key={n.key} className={`alert meeting-notice ${n.kind === 'reminder' ? 'alert-warning' : 'alert-info'}`}>
          <p className="meeting-notice-text">{n.text}</p>
          <div className="meeting-notice-actions">
            {n.link ? (
              pathname !== n.link.to ? <Link to={n.link.to}>{n.link.label}</Link> : null
            ) : pathname !== '/meetings' ? (
              <Link to="/meetings">Open Meetings</Link>
            ) : null}
            <button type="button" className="button-link" onClick={() => store?.dismiss(n.key)}>
              Dismiss<span className="visually-hidden"> this notice</span>
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}

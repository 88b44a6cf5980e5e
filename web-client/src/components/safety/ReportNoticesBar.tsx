// The notices `report` frames raise, on every page: one of my reports was reviewed (what was done
// is not said). Beside the meeting notices in the header, with a link to Settings → My reports.
import { Link, useLocation } from 'react-router';
import { useReportNotices } from '../../chat/ChatProvider';
import { MY_REPORTS_PATH } from '../../lib/reports';

/**
 * Notices raised by `report` frames: one of my reports was reviewed. A polite live region that
 * is always in the DOM, so each new notice is announced; each can be dismissed.
 */
export function ReportNoticesBar() {
  const { store, notices } = useReportNotices();
  const { pathname } = useLocation();
  return (
    <div className="meeting-notices" role="status" aria-label="Report notices">
      {notices.map((n) => (
        <div key={n.key} className="alert alert-info meeting-notice">
          <p className="meeting-notice-text">{n.text}</p>
          <div className="meeting-notice-actions">
            {pathname !== '/settings' ? <Link to={MY_REPORTS_PATH}>See My reports</Link> : null}
            <button type="button" className="button-link" onClick={() => store?.dismiss(n.key)}>
              Dismiss<span className="visually-hidden"> this notice</span>
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}

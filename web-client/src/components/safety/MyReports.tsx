// Settings → My reports: the reports I made, a page at a time, each Open or Reviewed (what the
// coordinators did is theirs and the reported person's; it is not shown). The list stays live:
// a `report` frame saying one was reviewed refetches it (chat/reports.ts). Links to it carry
// `#my-reports`, which moves the focus here.
import { useEffect, useRef } from 'react';
import { useLocation } from 'react-router';
import { api } from '../../api/endpoints';
import { reportKeys } from '../../api/queryKeys';
import { formatDateTime } from '../../lib/format';
import { categoryLabel, kindLabel, MY_REPORTS_ID, statusLabel } from '../../lib/reports';
import { useSession } from '../../session';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';

export function MyReports() {
  const location = useLocation();
  const { session } = useSession();
  const reports = usePagedList(reportKeys.mine, (cursor) => api.myReports(cursor));
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (location.hash === `#${MY_REPORTS_ID}`) {
      heading.current?.focus();
      heading.current?.scrollIntoView({ block: 'start' });
    }
  }, [location.hash]);

  const programName = (id: string) => session?.memberships.find((m) => m.program_id === id)?.program_name ?? null;

  return (
    <section id={MY_REPORTS_ID} aria-labelledby="my-reports-heading" className="card">
      <h2 id="my-reports-heading" ref={heading} tabIndex={-1}>
        My reports
      </h2>
      <p>
        What you reported to your programs’ coordinators. They see who you are, who you reported, your reason and
        words, and copies of the messages you chose to share. The person you reported is not told who reported them.
        Once the coordinators have looked into a report, it shows as Reviewed; what they did stays between them and the
        person concerned. To report something, use Report on a message, in a conversation, on My matches or on a
        meeting.
      </p>
      <QueryStatus query={reports} loading="Loading your reports…" />
      {reports.isSuccess && reports.items.length === 0 ? <p>You have not reported anything.</p> : null}
      {reports.items.length > 0 ? (
        <ul className="report-list" aria-labelledby="my-reports-heading">
          {reports.items.map((r) => {
            const program = programName(r.program_id);
            return (
              <li key={r.id}>
                <p className="report-line">
                  <strong>
                    {kindLabel(r.kind)}: {r.subject.name}
                  </strong>{' '}
                  <span className={`badge badge-report-${r.status}`}>{statusLabel(r.status)}</span>
                </p>
                <p className="muted report-line">
                  {categoryLabel(r.category)}
                  {program ? ` · ${program}` : ''} · reported{' '}
                  <time dateTime={r.created_at}>{formatDateTime(r.created_at)}</time>
                </p>
                {r.note ? <p className="pre-line report-note">{r.note}</p> : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      <LoadMore {...reports} what="reports" />
    </section>
  );
}

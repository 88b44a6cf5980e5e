// The program's check-ins after calls, for its coordinators: how many, the average rating and how
// many gave each rating. Only aggregates: never who said what. The ratings themselves are held
// back until enough different people have rated calls (the server's `minimum_people`), since a
// total of one or two people's check-ins would tell their ratings.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/endpoints';
import { checkinKeys } from '../../api/queryKeys';
import { averageLabel, checkinTotals, distributionRows } from '../../lib/meetings';
import { QueryStatus } from '../Page';

export function CheckinSummarySection({ programId }: { programId: string }) {
  const summary = useQuery({ queryKey: checkinKeys.summary(programId), queryFn: () => api.programCheckins(programId) });
  const totals = summary.data ? checkinTotals(summary.data) : null;
  return (
    <section aria-labelledby="checkins-heading" className="card">
      <h2 id="checkins-heading">Call check-ins</h2>
      <p className="muted">
        After a call, both people may rate it from 1 (poor) to 5 (great). Only totals for the whole program are shown,
        once enough people have rated calls; nobody’s own rating or note.
      </p>
      <QueryStatus query={summary} loading="Loading check-ins…" />
      {totals?.kind === 'none' ? <p>No check-ins yet.</p> : null}
      {totals && totals.kind !== 'none' ? (
        <dl className="facts">
          <div>
            <dt>Check-ins</dt>
            <dd>{totals.count}</dd>
          </div>
          {totals.kind === 'shown' ? (
            <div>
              <dt>Average rating</dt>
              <dd>{averageLabel(totals.average)}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      {totals?.kind === 'withheld' ? <p>{totals.text}</p> : null}
      {totals?.kind === 'shown' ? (
        <div className="table-wrap" role="region" aria-labelledby="checkins-caption" tabIndex={0}>
          <table className="rating-table">
            <caption id="checkins-caption">Ratings given</caption>
            <thead>
              <tr>
                <th scope="col">Rating</th>
                <th scope="col">Check-ins</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {distributionRows(totals.distribution).map((row) => (
                <tr key={row.rating}>
                  <th scope="row">{row.rating}</th>
                  <td>{row.count}</td>
                  <td>{row.percent}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

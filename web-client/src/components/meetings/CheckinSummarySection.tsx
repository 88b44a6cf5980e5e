// The program's check-ins after calls, for its coordinators: how many, the average rating and how
// many gave each rating. Only aggregates: never who said what.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/endpoints';
import { checkinKeys } from '../../api/queryKeys';
import { averageLabel, distributionRows } from '../../lib/meetings';
import { QueryStatus } from '../Page';

export function CheckinSummarySection({ programId }: { programId: string }) {
  const summary = useQuery({ queryKey: checkinKeys.summary(programId), queryFn: () => api.programCheckins(programId) });
  const s = summary.data;
  return (
    <section aria-labelledby="checkins-heading" className="card">
      <h2 id="checkins-heading">Call check-ins</h2>
      <p className="muted">After a call, both people may rate it from 1 (poor) to 5 (great). Only totals are shown.</p>
      <QueryStatus query={summary} loading="Loading check-ins…" />
      {s && s.count === 0 ? <p>No check-ins yet.</p> : null}
      {s && s.count > 0 ? (
        <>
          <dl className="facts">
            <div>
              <dt>Check-ins</dt>
              <dd>{s.count}</dd>
            </div>
            <div>
              <dt>Average rating</dt>
              <dd>{averageLabel(s.average)}</dd>
            </div>
          </dl>
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
                {distributionRows(s.distribution).map((row) => (
                  <tr key={row.rating}>
                    <th scope="row">{row.rating}</th>
                    <td>{row.count}</td>
                    <td>{row.percent}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}

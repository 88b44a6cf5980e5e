// The "Engagement" section: per pair, how much they write and meet, and their open alerts. Counts
// only: coordinators never see what a pair wrote.
import { dataApi } from '../../api/programData';
import { pairKeys } from '../../api/queryKeys';
import { formatDateTime } from '../../lib/format';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';
import { ruleLabel } from './AlertsPanel';

export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return '—';
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = Math.floor(minutes / 60);
  const rest = Math.round(minutes % 60);
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

export function EngagementPanel({ programId }: { programId: string }) {
  const pairs = usePagedList(pairKeys.engagement(programId), (cursor) => dataApi.engagement(programId, cursor));
  return (
    <section aria-labelledby="engagement-heading">
      <h2 id="engagement-heading">Engagement</h2>
      <p>Counts for each active pair. What pairs write to each other stays private.</p>
      <QueryStatus query={pairs} loading="Loading engagement…" />
      {pairs.isSuccess && pairs.items.length === 0 ? <p>No pairs yet.</p> : null}
      {pairs.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="engagement-caption" tabIndex={0}>
          <table>
            <caption id="engagement-caption">Engagement per pair</caption>
            <thead>
              <tr>
                <th scope="col">Pair</th>
                <th scope="col" className="num">
                  Messages from mentee
                </th>
                <th scope="col" className="num">
                  Messages from mentor
                </th>
                <th scope="col" className="num">
                  Meetings
                </th>
                <th scope="col" className="num">
                  Time met
                </th>
                <th scope="col">Last contact</th>
                <th scope="col">First reply after</th>
                <th scope="col">Open alerts</th>
              </tr>
            </thead>
            <tbody>
              {pairs.items.map((p) => (
                <tr key={p.match_id}>
                  <th scope="row">
                    {p.mentee.name} <span className="muted">with</span> {p.mentor.name}
                  </th>
                  <td className="num">{p.messages_from_mentee}</td>
                  <td className="num">{p.messages_from_mentor}</td>
                  <td className="num">{p.meetings}</td>
                  <td className="num nowrap">{formatMinutes(p.minutes_met)}</td>
                  <td className="nowrap">{p.last_contact_at ? formatDateTime(p.last_contact_at) : 'Never'}</td>
                  <td className="nowrap">{formatMinutes(p.first_reply_minutes)}</td>
                  <td>
                    {p.at_risk.length === 0 ? (
                      'None'
                    ) : (
                      <ul className="cell-list">
                        {p.at_risk.map((rule) => (
                          <li key={rule}>
                            <span className="badge badge-risk">{ruleLabel(rule)}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore {...pairs} what="pairs" />
    </section>
  );
}

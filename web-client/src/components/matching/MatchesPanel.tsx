// The console's "Matches" section: the program's matches, filtered by status.
import { useState } from 'react';
import { api } from '../../api/endpoints';
import { matchKeys } from '../../api/queryKeys';
import { MATCH_STATUSES, type MatchStatus } from '../../api/types';
import { formatDateTime } from '../../lib/format';
import { formatScore, matchStatusLabel, responseLabel } from '../../lib/matching';
import { SelectField } from '../forms';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';

type Filter = MatchStatus | 'all';

const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'All matches' },
  ...MATCH_STATUSES.map((s) => ({ value: s, label: matchStatusLabel(s) })),
];

export function MatchesPanel({ programId }: { programId: string }) {
  const [filter, setFilter] = useState<Filter>('all');
  const matches = usePagedList(matchKeys.list(programId, filter), (cursor) =>
    api.programMatches(programId, filter, cursor),
  );
  const caption = filter === 'all' ? 'All matches in this program' : `${matchStatusLabel(filter)} matches in this program`;

  return (
    <section aria-labelledby="matches-heading">
      <h2 id="matches-heading">Matches</h2>
      <div className="filter-row">
        <SelectField
          label="Show"
          name="status"
          value={filter}
          onChange={(v) => setFilter(FILTERS.find((f) => f.value === v)?.value ?? 'all')}
          options={FILTERS}
        />
      </div>
      <QueryStatus query={matches} loading="Loading matches…" />
      {matches.isSuccess && matches.items.length === 0 ? (
        <p>{filter === 'all' ? 'No matches yet.' : `No ${matchStatusLabel(filter).toLowerCase()} matches.`}</p>
      ) : null}
      {matches.items.length > 0 ? (
        <div className="table-wrap" role="region" aria-labelledby="program-matches-caption" tabIndex={0}>
          <table>
            <caption id="program-matches-caption" className="visually-hidden">
              {caption}
            </caption>
            <thead>
              <tr>
                <th scope="col">Mentee</th>
                <th scope="col">Mentor</th>
                <th scope="col">Status</th>
                <th scope="col">Score</th>
                <th scope="col">Answers</th>
                <th scope="col">Proposed</th>
                <th scope="col">Reason given</th>
              </tr>
            </thead>
            <tbody>
              {matches.items.map((m) => (
                <tr key={m.id}>
                  <th scope="row">{m.mentee.name}</th>
                  <td>{m.mentor.name}</td>
                  <td>
                    <span className={`badge badge-match-${m.status}`}>{matchStatusLabel(m.status)}</span>
                  </td>
                  <td>{formatScore(m.score)}</td>
                  <td>
                    <ul className="cell-list">
                      <li>Mentee: {responseLabel(m.mentee_response)}</li>
                      <li>Mentor: {responseLabel(m.mentor_response)}</li>
                    </ul>
                  </td>
                  <td className="nowrap">{formatDateTime(m.created_at)}</td>
                  <td className="pre-line">{m.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore {...matches} what="matches" />
    </section>
  );
}

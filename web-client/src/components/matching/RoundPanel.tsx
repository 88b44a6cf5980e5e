// The console's "Round" section: run a round, and review the latest one — its proposals (choose
// which to approve), the people left waiting and why, and each mentor's load.
import { useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { api } from '../../api/endpoints';
import { matchingKeys, matchKeys } from '../../api/queryKeys';
import type { Page, RoundMode, RoundStatus, StoredRound } from '../../api/types';
import { formatDateTime } from '../../lib/format';
import { describeConflicts, formatScore, upsertRound } from '../../lib/matching';
import { FormError, StatusMessage } from '../forms';
import { QueryStatus } from '../Page';

const STATUS_TEXT: Record<RoundStatus, string> = {
  preview: 'Preview — not published; nobody has been told',
  approved: 'Approved — the chosen pairs were proposed to both people',
  discarded: 'Discarded — nothing was proposed',
};

const MODE_TEXT: Record<RoundMode, string> = {
  whole_cohort: 'Whole cohort',
  incremental: 'Incremental (newcomers into the remaining capacity)',
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function RoundPanel({ programId }: { programId: string }) {
  const queryClient = useQueryClient();
  const rounds = useQuery({ queryKey: matchingKeys.rounds(programId), queryFn: () => api.rounds(programId) });
  const latest = rounds.data?.items[0];
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = useMutation({
    mutationFn: () => api.runRound(programId),
    onMutate: () => {
      setStatus(null);
      setError(null);
    },
    onSuccess: (round) => {
      queryClient.setQueryData<Page<StoredRound>>(matchingKeys.rounds(programId), (old) => upsertRound(old, round));
      void queryClient.invalidateQueries({ queryKey: matchingKeys.rounds(programId) });
      setStatus(
        `Round run: ${plural(round.proposals.length, 'pair', 'pairs')} proposed, ` +
          `${plural(round.unmatched.length, 'person', 'people')} left waiting. Review it below; nobody is told until you approve.`,
      );
    },
    onError: (e) => setError(errorMessage(e)),
  });

  return (
    <section aria-labelledby="round-heading">
      <h2 id="round-heading">Round</h2>
      <p>
        A round scores every eligible mentee–mentor pair and finds the assignment that matches the most mentees with the
        highest total score. It is kept as a preview until you approve it.
      </p>
      <div className="actions">
        <button type="button" onClick={() => run.mutate()} disabled={run.isPending}>
          {run.isPending ? 'Running…' : 'Run a round'}
        </button>
      </div>
      <StatusMessage message={status} />
      <FormError message={error} />
      <QueryStatus query={rounds} loading="Loading rounds…" />
      {rounds.isSuccess && !latest ? <p>No round has been run in this program yet.</p> : null}
      {latest ? <RoundView key={latest.id} programId={programId} round={latest} /> : null}
    </section>
  );
}

function RoundView({ programId, round }: { programId: string; round: StoredRound }) {
  const queryClient = useQueryClient();
  const base = useId();
  // Every proposal is chosen at first; this holds the ones the coordinator unticked.
  const [unchosen, setUnchosen] = useState<ReadonlySet<string>>(new Set());
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflicts, setConflicts] = useState<string[]>([]);
  const isPreview = round.status === 'preview';
  const chosen = round.proposals.filter((p) => !unchosen.has(p.mentee_id)).map((p) => p.mentee_id);

  function updated(next: StoredRound) {
    queryClient.setQueryData<Page<StoredRound>>(matchingKeys.rounds(programId), (old) => upsertRound(old, next));
    void queryClient.invalidateQueries({ queryKey: matchingKeys.rounds(programId) });
    void queryClient.invalidateQueries({ queryKey: matchKeys.ofProgram(programId) });
  }

  const approve = useMutation({
    mutationFn: (menteeIds: string[]) => api.approveRound(programId, round.id, menteeIds),
    onMutate: () => {
      setStatus(null);
      setError(null);
      setConflicts([]);
    },
    onSuccess: (next, menteeIds) => {
      updated(next);
      setStatus(
        `Approved ${plural(menteeIds.length, 'match', 'matches')}. Both people in each pair are asked to accept.`,
      );
    },
    onError: (e) => {
      setError(errorMessage(e));
      if (e instanceof ApiError) setConflicts(describeConflicts(e.fields, round.proposals));
    },
  });

  const discard = useMutation({
    mutationFn: () => api.discardRound(programId, round.id),
    onMutate: () => {
      setStatus(null);
      setError(null);
      setConflicts([]);
    },
    onSuccess: (next) => {
      updated(next);
      setStatus('Round discarded. Nothing was proposed.');
    },
    onError: (e) => setError(errorMessage(e)),
  });

  function toggle(menteeId: string, on: boolean) {
    setUnchosen((old) => {
      const next = new Set(old);
      if (on) next.delete(menteeId);
      else next.add(menteeId);
      return next;
    });
  }

  const busy = approve.isPending || discard.isPending;
  return (
    <div className="subsection">
      <h3>Latest round</h3>
      <p className="round-status">
        <strong>{STATUS_TEXT[round.status]}</strong>
      </p>
      <dl className="facts">
        <div>
          <dt>Run</dt>
          <dd>{formatDateTime(round.created_at)}</dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>{MODE_TEXT[round.mode]}</dd>
        </div>
        <div>
          <dt>Total score</dt>
          <dd>{formatScore(round.total_score)}</dd>
        </div>
        <div>
          <dt>Mentees considered</dt>
          <dd>{round.mentees_considered}</dd>
        </div>
        <div>
          <dt>Mentors considered</dt>
          <dd>{round.mentors_considered}</dd>
        </div>
      </dl>

      <h4>Proposals</h4>
      {round.proposals.length === 0 ? (
        <p>This round proposes no pairs.</p>
      ) : (
        <>
          {isPreview ? (
            <div className="actions">
              <p className="selection-count" id={`${base}-count`}>
                {chosen.length} of {round.proposals.length} chosen for approval.
              </p>
              <button type="button" className="button-secondary button-small" onClick={() => setUnchosen(new Set())}>
                Choose all
              </button>
              <button
                type="button"
                className="button-secondary button-small"
                onClick={() => setUnchosen(new Set(round.proposals.map((p) => p.mentee_id)))}
              >
                Choose none
              </button>
            </div>
          ) : null}
          <div className="table-wrap" role="region" aria-labelledby={`${base}-proposals`} tabIndex={0}>
            <table>
              <caption id={`${base}-proposals`}>Proposed pairs</caption>
              <thead>
                <tr>
                  <th scope="col">{isPreview ? 'Approve' : 'Approved'}</th>
                  <th scope="col">Mentee</th>
                  <th scope="col">Mentor</th>
                  <th scope="col">Score</th>
                  <th scope="col">Top reasons</th>
                  <th scope="col">Not met</th>
                </tr>
              </thead>
              <tbody>
                {round.proposals.map((p) => {
                  const boxId = `${base}-p-${p.mentee_id}`;
                  return (
                    <tr key={p.mentee_id}>
                      <td>
                        {isPreview ? (
                          <>
                            <input
                              id={boxId}
                              type="checkbox"
                              checked={!unchosen.has(p.mentee_id)}
                              onChange={(e) => toggle(p.mentee_id, e.target.checked)}
                            />
                            <label htmlFor={boxId} className="visually-hidden">
                              Approve {p.mentee_name} with {p.mentor_name}
                            </label>
                          </>
                        ) : p.approved ? (
                          'Yes'
                        ) : (
                          'No'
                        )}
                      </td>
                      <th scope="row">{p.mentee_name}</th>
                      <td>{p.mentor_name}</td>
                      <td className="nowrap">{formatScore(p.score)}</td>
                      <td>
                        {p.reasons.length > 0 ? (
                          <ul className="cell-list">
                            {p.reasons.slice(0, 3).map((r, i) => (
                              <li key={i}>{r}</li>
                            ))}
                          </ul>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td>
                        {p.unmet.length > 0 ? (
                          <ul className="cell-list">
                            {p.unmet.map((r, i) => (
                              <li key={i}>{r}</li>
                            ))}
                          </ul>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      <StatusMessage message={status} />
      <FormError message={error} />
      {conflicts.length > 0 ? (
        <ul className="field-error">
          {conflicts.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      ) : null}
      {isPreview ? (
        <div className="actions">
          {round.proposals.length > 0 ? (
            <button
              type="button"
              onClick={() => approve.mutate(chosen)}
              disabled={busy || chosen.length === 0}
              aria-describedby={`${base}-count`}
            >
              {approve.isPending ? 'Approving…' : `Approve selected (${chosen.length})`}
            </button>
          ) : null}
          <button
            type="button"
            className="button-danger"
            disabled={busy}
            onClick={() => {
              if (window.confirm('Discard this round? No pair is proposed and nobody is told.')) discard.mutate();
            }}
          >
            {discard.isPending ? 'Discarding…' : 'Discard round'}
          </button>
        </div>
      ) : null}

      <h4>Waiting without a mentor</h4>
      {round.unmatched.length === 0 ? (
        <p>Every mentee considered has a proposal.</p>
      ) : (
        <div className="table-wrap" role="region" aria-labelledby={`${base}-unmatched`} tabIndex={0}>
          <table>
            <caption id={`${base}-unmatched`} className="visually-hidden">
              Mentees left without a mentor, and why
            </caption>
            <thead>
              <tr>
                <th scope="col">Mentee</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {round.unmatched.map((u) => (
                <tr key={u.user_id}>
                  <th scope="row">{u.name}</th>
                  <td>{u.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h4>Mentor load</h4>
      {round.mentor_load.length === 0 ? (
        <p>No mentors were considered.</p>
      ) : (
        <div className="table-wrap" role="region" aria-labelledby={`${base}-load`} tabIndex={0}>
          <table>
            <caption id={`${base}-load`} className="visually-hidden">
              Each mentor’s capacity, open matches and proposals in this round
            </caption>
            <thead>
              <tr>
                <th scope="col">Mentor</th>
                <th scope="col">Capacity</th>
                <th scope="col">Open matches</th>
                <th scope="col">Proposed in this round</th>
                <th scope="col">New mentees</th>
              </tr>
            </thead>
            <tbody>
              {round.mentor_load.map((m) => (
                <tr key={m.user_id}>
                  <th scope="row">{m.name}</th>
                  <td>{m.capacity}</td>
                  <td>{m.open}</td>
                  <td>{m.proposed}</td>
                  <td>{m.accepting ? 'Accepting' : 'Paused'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

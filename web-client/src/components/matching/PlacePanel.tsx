// The console's "Place by hand" section: choose a mentee and a mentor, see how well they fit and
// whether they may be placed together, and propose the match.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { matchingKeys, matchKeys, memberKeys } from '../../api/queryKeys';
import type { Member } from '../../api/types';
import { formatScore } from '../../lib/matching';
import { FormError, SelectField, StatusMessage, useFocusFirstInvalid } from '../forms';
import { QueryStatus } from '../Page';
import { allMembers } from '../ProgramChannels';

function memberOptions(members: readonly Member[], role: 'mentee' | 'mentor', placeholder: string) {
  return [
    { value: '', label: placeholder },
    ...members
      .filter((m) => m.role === role)
      .map((m) => ({ value: m.user_id, label: m.institution ? `${m.name} (${m.institution})` : m.name })),
  ];
}

export function PlacePanel({ programId }: { programId: string }) {
  const members = useQuery({ queryKey: memberKeys.everyone(programId), queryFn: () => allMembers(programId) });
  return (
    <section aria-labelledby="place-heading">
      <h2 id="place-heading">Place by hand</h2>
      <p>
        Choose a mentee and a mentor to see their score and what fits. Capacity, pauses and the do-not-match list still
        apply. A placed match is proposed to both people, who accept or decline it.
      </p>
      <QueryStatus query={members} loading="Loading members…" />
      {members.data ? <PlaceForm programId={programId} members={members.data} /> : null}
    </section>
  );
}

function PlaceForm({ programId, members }: { programId: string; members: Member[] }) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [mentee, setMentee] = useState('');
  const [mentor, setMentor] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const both = mentee !== '' && mentor !== '';
  const score = useQuery({
    queryKey: matchingKeys.pairScore(programId, mentee, mentor),
    queryFn: () => api.pairScore(programId, mentee, mentor),
    enabled: both,
  });

  const place = useMutation({
    mutationFn: () => api.placeMatch(programId, mentee, mentor),
    onMutate: () => {
      setError(null);
      setStatus(null);
    },
    onSuccess: (match) => {
      setStatus(`Proposed ${match.mentee.name} with ${match.mentor.name}. Both are asked to accept.`);
      void queryClient.invalidateQueries({ queryKey: matchingKeys.pairScores(programId) });
      void queryClient.invalidateQueries({ queryKey: matchKeys.ofProgram(programId) });
      void queryClient.invalidateQueries({ queryKey: matchingKeys.rounds(programId) });
    },
    onError: (e) => setError(errorMessage(e)),
  });

  function choose(set: (v: string) => void, value: string) {
    set(value);
    setStatus(null);
    setError(null);
    setErrors({});
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: FieldErrors = {};
    if (!mentee) found.mentee = 'Choose a mentee.';
    if (!mentor) found.mentor = 'Choose a mentor.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    if (score.data && !score.data.allowed) {
      setError(score.data.problem ?? 'This pair cannot be placed.');
      return;
    }
    if (score.isPending) {
      setError('This pair is still being scored; try again in a moment.');
      return;
    }
    // When scoring failed the server still checks the pair, and says why if it cannot be placed.
    place.mutate();
  }

  const menteeOptions = memberOptions(members, 'mentee', 'Choose a mentee…');
  const mentorOptions = memberOptions(members, 'mentor', 'Choose a mentor…');
  if (menteeOptions.length === 1 || mentorOptions.length === 1) {
    return <p>This program needs at least one mentee and one mentor before anyone can be placed.</p>;
  }

  const result = score.data;
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby="place-heading">
      <div className="field-row">
        <SelectField
          label="Mentee"
          name="mentee"
          value={mentee}
          onChange={(v) => choose(setMentee, v)}
          options={menteeOptions}
          error={errors.mentee}
          required
        />
        <SelectField
          label="Mentor"
          name="mentor"
          value={mentor}
          onChange={(v) => choose(setMentor, v)}
          options={mentorOptions}
          error={errors.mentor}
          required
        />
      </div>
      <div aria-live="polite" className="pair-result">
        {both ? <QueryStatus query={score} loading="Scoring this pair…" /> : null}
        {both && result ? (
          <div className="card pair-card">
            <h3>Score {formatScore(result.score)} out of 100</h3>
            {result.allowed ? (
              <p>These two can be placed together.</p>
            ) : (
              <p className="alert alert-error">
                <strong>Cannot be placed:</strong> {result.problem ?? 'this pair is not allowed.'}
              </p>
            )}
            <h4>What fits</h4>
            {result.reasons.length > 0 ? (
              <ul>
                {result.reasons.map((r, i) => (
                  <li key={i}>{r}</li>
                ))}
              </ul>
            ) : (
              <p>Nothing in particular.</p>
            )}
            {result.unmet.length > 0 ? (
              <>
                <h4>Not met</h4>
                <ul>
                  {result.unmet.map((r, i) => (
                    <li key={i}>{r}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}
      </div>
      <FormError message={error} />
      <div className="actions">
        <button type="submit" disabled={place.isPending || (both && result?.allowed === false)}>
          {place.isPending ? 'Proposing…' : 'Propose this match'}
        </button>
      </div>
      <StatusMessage message={status} />
    </form>
  );
}

// My matches: proposals waiting for an answer, active matches (with their chat) and past ones.
// The list stays live: `match` frames on the chat connection update it (chat/matches.ts). From an
// active match, either person may end it for a rematch, or ask the program's coordinators to get
// in touch (without the other person being told). From a proposal or an active match, either may
// block the other (docs/safety.md): the match ends quietly. From any match of theirs, either may
// report the other to the program's coordinators.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { api } from '../api/endpoints';
import { matchKeys } from '../api/queryKeys';
import type { Match, Membership } from '../api/types';
import { useBlocked } from '../chat/blocks';
import { applyMatchUpdate } from '../chat/matches';
import { FormError, StatusMessage, TextAreaField } from '../components/forms';
import { SupportRequestForm } from '../components/meetings/SupportRequest';
import { PageHeading, QueryStatus } from '../components/Page';
import { BlockButton } from '../components/safety/Blocking';
import { ReportButton } from '../components/safety/Reporting';
import { LoadMore, usePagedList } from '../components/paged';
import { formatDateTime, roleLabel } from '../lib/format';
import { formatScore, isOpen, matchStatusLabel, matchView, responseLabel } from '../lib/matching';
import { BLOCKED_PEOPLE_PATH } from '../lib/safety';
import { useSession } from '../session';

const seg = encodeURIComponent;
const MAX_REASON = 1000;

export function MatchesPage() {
  const { session, user } = useSession();
  const matches = usePagedList(matchKeys.mine, (cursor) => api.myMatches(cursor));
  const [status, setStatus] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);

  const proposed = matches.items.filter((m) => m.status === 'proposed');
  const active = matches.items.filter((m) => m.status === 'active');
  const past = matches.items.filter((m) => !isOpen(m));

  function done(message: string) {
    setStatus(message);
    // The card that was acted on may have moved to another list: keep focus on the outcome.
    statusRef.current?.focus();
  }

  const groups: { key: string; title: string; items: Match[] }[] = [
    { key: 'proposed', title: 'Proposed matches', items: proposed },
    { key: 'active', title: 'Active matches', items: active },
    { key: 'past', title: 'Past matches', items: past },
  ];

  return (
    <>
      <PageHeading title="My matches">My matches</PageHeading>
      <div ref={statusRef} tabIndex={-1} className="status-anchor">
        <StatusMessage message={status} />
      </div>
      <QueryStatus query={matches} loading="Loading your matches…" />
      {matches.isSuccess && proposed.length + active.length === 0 ? (
        <NoMatchYet hasPast={past.length > 0} memberships={session?.memberships ?? []} />
      ) : null}
      {groups.map((g) =>
        g.items.length > 0 ? (
          <section key={g.key} aria-labelledby={`${g.key}-heading`}>
            <h2 id={`${g.key}-heading`}>{g.title}</h2>
            <ul className="match-list">
              {g.items.map((m) => (
                <li key={m.id}>
                  <MatchCard match={m} userId={user?.id ?? null} onDone={done} />
                </li>
              ))}
            </ul>
          </section>
        ) : null,
      )}
      <LoadMore {...matches} what="matches" />
    </>
  );
}

function NoMatchYet({ hasPast, memberships }: { hasPast: boolean; memberships: readonly Membership[] }) {
  const matchable = memberships.filter((m) => m.role === 'mentee' || m.role === 'mentor');
  return (
    <div className="card">
      <p>
        <strong>{hasPast ? 'You have no open match right now.' : 'You have no match yet.'}</strong>{' '}
        {matchable.length > 0
          ? 'Matches are proposed to people who have completed their questionnaire. You will be told here, and by email, when there is one.'
          : 'When you join a program as a mentee or a mentor, you can fill in its questionnaire to be matched.'}
      </p>
      {matchable.length > 0 ? (
        <ul>
          {matchable.map((m) => (
            <li key={m.program_id}>
              <Link to={`/programs/${seg(m.program_id)}/questionnaire`}>
                Your questionnaire for {m.program_name} ({roleLabel(m.role).toLowerCase()})
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

type Panel = 'none' | 'decline' | 'rematch' | 'support';

function MatchCard({ match, userId, onDone }: { match: Match; userId: string | null; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const base = useId();
  const v = matchView(match, userId);
  const blocked = useBlocked();
  const iBlocked = blocked.ids.has(v.other.user_id);
  const canBlock = v.side !== null && isOpen(match) && blocked.ready && !iBlocked;
  const canReport = v.side !== null;
  const [panel, setPanel] = useState<Panel>('none');
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const panelRef = useRef<HTMLFormElement>(null);
  const actionsRef = useRef<HTMLDivElement>(null);
  const [cancelled, setCancelled] = useState(0);
  // The panel last opened, so that cancelling it returns focus to the button that opened it.
  const opened = useRef<Panel>('none');

  useEffect(() => {
    // The support form focuses its own note.
    if (panel === 'decline' || panel === 'rematch') panelRef.current?.querySelector('textarea')?.focus();
  }, [panel]);

  // Cancelling a panel puts focus back on the button it came from.
  useEffect(() => {
    if (cancelled === 0) return;
    const actions = actionsRef.current;
    (actions?.querySelector<HTMLButtonElement>(`[data-panel="${opened.current}"]`) ?? actions?.querySelector('button'))?.focus();
  }, [cancelled]);

  function cancelPanel() {
    setPanel('none');
    setCancelled((n) => n + 1);
  }

  function open(next: Panel) {
    opened.current = next;
    setPanel(next);
    setReason('');
    setReasonError(undefined);
    setError(null);
  }

  const respond = useMutation({
    mutationFn: ({ accept, reason: why }: { accept: boolean; reason?: string }) => api.respondToMatch(match.id, accept, why),
    onMutate: () => setError(null),
    onSuccess: (updated, { accept }) => {
      applyMatchUpdate(queryClient, updated);
      setPanel('none');
      if (!accept) onDone(`You declined the match with ${v.other.name}.`);
      else if (updated.status === 'active') onDone(`You accepted. Your match with ${v.other.name} is active — say hello in your chat.`);
      else onDone(`You accepted the match with ${v.other.name}. You will be told when they answer.`);
    },
    onError: (e) => setError(errorMessage(e)),
  });

  const rematch = useMutation({
    mutationFn: (why?: string) => api.rematch(match.id, why),
    onMutate: () => setError(null),
    onSuccess: (updated) => {
      applyMatchUpdate(queryClient, updated);
      setPanel('none');
      onDone(`Your match with ${v.other.name} has ended. The coordinators of ${updated.program_name} can now find you a new match.`);
    },
    onError: (e) => setError(errorMessage(e)),
  });

  function submitPanel(event: FormEvent) {
    event.preventDefault();
    const why = reason.trim();
    if (why.length > MAX_REASON) {
      setReasonError(`Keep it under ${MAX_REASON} characters; this has ${why.length}.`);
      panelRef.current?.querySelector('textarea')?.focus();
      return;
    }
    setReasonError(undefined);
    if (panel === 'decline') respond.mutate({ accept: false, reason: why || undefined });
    else if (panel === 'rematch') rematch.mutate(why || undefined);
  }

  const busy = respond.isPending || rematch.isPending;
  const headingId = `${base}-heading`;
  const myRole = v.side ? roleLabel(v.side).toLowerCase() : null;

  return (
    <article className="card match-card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {v.other.name}
        <span className="match-role">, your {v.otherRole}</span>
      </h3>
      <p className="match-meta">
        {match.program_name} · <span className={`badge badge-match-${match.status}`}>{matchStatusLabel(match.status)}</span> ·
        Score {formatScore(match.score)} out of 100
      </p>
      <dl className="facts">
        <div>
          <dt>Proposed</dt>
          <dd>{formatDateTime(match.created_at)}</dd>
        </div>
        {match.activated_at ? (
          <div>
            <dt>Active since</dt>
            <dd>{formatDateTime(match.activated_at)}</dd>
          </div>
        ) : null}
        {match.ended_at ? (
          <div>
            <dt>{match.status === 'declined' ? 'Declined' : 'Ended'}</dt>
            <dd>{formatDateTime(match.ended_at)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Your answer{myRole ? ` (${myRole})` : ''}</dt>
          <dd>{v.mine ? responseLabel(v.mine) : '—'}</dd>
        </div>
        <div>
          <dt>{v.other.name}’s answer</dt>
          <dd>{responseLabel(v.theirs)}</dd>
        </div>
      </dl>
      {match.reasons.length > 0 ? (
        <>
          <h4>Why you were matched</h4>
          <ul className="reasons">
            {match.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
      {match.unmet.length > 0 ? (
        <>
          <h4>Not met</h4>
          <ul className="unmet">
            {match.unmet.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
      {match.reason ? (
        <p>
          <strong>Reason given:</strong> <span className="pre-line">{match.reason}</span>
        </p>
      ) : null}
      {iBlocked ? (
        <p className="muted">
          You blocked {v.other.name}. <Link to={BLOCKED_PEOPLE_PATH}>Blocked people in Settings</Link>
        </p>
      ) : null}
      <FormError message={error} />
      {match.status === 'active' ? (
        match.channel_id ? (
          <p>
            <Link to={`/messages/${seg(match.channel_id)}`} className="button">
              Open your chat with {v.other.name}
            </Link>
          </p>
        ) : (
          <p className="muted">Your chat with {v.other.name} is being set up; it will appear in Messages shortly.</p>
        )
      ) : null}
      {panel === 'none' && (v.canRespond || v.canRematch || v.canAskForSupport || canBlock || canReport) ? (
        <div className="actions" ref={actionsRef}>
          {v.canRespond ? (
            <>
              <button type="button" onClick={() => respond.mutate({ accept: true })} disabled={busy}>
                {respond.isPending ? 'Saving…' : 'Accept'}
                <span className="visually-hidden"> the match with {v.other.name}</span>
              </button>
              <button
                type="button"
                className="button-danger"
                data-panel="decline"
                onClick={() => open('decline')}
                disabled={busy}
              >
                Decline<span className="visually-hidden"> the match with {v.other.name}</span>…
              </button>
            </>
          ) : null}
          {v.canAskForSupport ? (
            <button
              type="button"
              className="button-secondary"
              data-panel="support"
              onClick={() => open('support')}
              disabled={busy}
            >
              Ask a coordinator for help<span className="visually-hidden"> with your match with {v.other.name}</span>…
            </button>
          ) : null}
          {v.canRematch ? (
            <button
              type="button"
              className="button-secondary"
              data-panel="rematch"
              onClick={() => open('rematch')}
              disabled={busy}
            >
              Ask for a rematch<span className="visually-hidden"> instead of {v.other.name}</span>…
            </button>
          ) : null}
          {canBlock ? <BlockButton person={{ id: v.other.user_id, name: v.other.name }} /> : null}
          {canReport ? (
            <ReportButton
              target={() => ({
                kind: 'person',
                programId: match.program_id,
                person: { id: v.other.user_id, name: v.other.name },
              })}
              label={`Report ${v.other.name}`}
            />
          ) : null}
        </div>
      ) : null}
      {panel === 'support' ? (
        <div className="inline-panel">
          <h4 id={`${base}-panel`}>Ask a coordinator for help</h4>
          <p>
            A coordinator of {match.program_name} can get in touch with you about your match with {v.other.name}.
          </p>
          <SupportRequestForm
            matchId={match.id}
            otherName={v.other.name}
            labelledBy={`${base}-panel`}
            focusNote
            onSent={(message) => {
              setPanel('none');
              onDone(message);
            }}
            dismissLabel="Cancel"
            onDismiss={cancelPanel}
          />
        </div>
      ) : null}
      {panel === 'decline' || panel === 'rematch' ? (
        <form ref={panelRef} onSubmit={submitPanel} noValidate className="inline-panel" aria-labelledby={`${base}-panel`}>
          <h4 id={`${base}-panel`}>
            {panel === 'decline' ? `Decline the match with ${v.other.name}` : `End your match with ${v.other.name}?`}
          </h4>
          {panel === 'rematch' ? (
            <p>
              This ends your match with {v.other.name}. You will not be matched with each other again, and the
              coordinators of {match.program_name} can find you someone new. Your past messages stay in Messages.
            </p>
          ) : (
            <p>You will not be proposed to each other again.</p>
          )}
          <TextAreaField
            label="Reason (optional)"
            hint="Only you and the program’s coordinators see this."
            value={reason}
            onChange={setReason}
            error={reasonError}
            rows={3}
          />
          <div className="actions">
            <button type="submit" className="button-danger" disabled={busy}>
              {busy ? 'Saving…' : panel === 'decline' ? 'Decline match' : 'End match and ask for a rematch'}
            </button>
            <button type="button" className="button-secondary" onClick={cancelPanel} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </article>
  );
}

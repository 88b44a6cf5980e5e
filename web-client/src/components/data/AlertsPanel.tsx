// The "Alerts" section: pairs at risk, and what a coordinator can do about each: write about it,
// end the match so the mentee is matched again (after a confirmation), or mark the alert
// resolved. An alert of the program's own rules (a pair out of touch) is written about to the
// pair, in a group channel of the coordinator and the two; one that a person raised (`raised_by`:
// their request for support, their named fit-check answer) to that person alone, in a channel of
// the coordinator and them, since what one of them said is not the other's to read. New alerts
// arrive live (an `alert` frame refreshes this list).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage, fieldErrors } from '../../api/client';
import { dataApi, type Alert, type RiskRule } from '../../api/programData';
import { dashboardKeys, pairKeys } from '../../api/queryKeys';
import { formatDateTime } from '../../lib/format';
import { CheckboxField, FormError, StatusMessage, TextAreaField } from '../forms';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';

const RULE_LABELS: Record<RiskRule, string> = {
  no_contact: 'No contact',
  // No longer raised; older ones were withdrawn (check-in ratings are private).
  falling_ratings: 'Falling ratings',
  not_a_good_fit: 'Not a good fit',
  support_requested: 'Asked for support',
};

const RESOLUTIONS: Record<string, string> = {
  resolved: 'resolved by a coordinator',
  rematched: 'the match ended for a rematch',
  cleared: 'the pair was in touch again',
  withdrawn: 'withdrawn: check-in ratings reach coordinators only as program totals',
};

export function ruleLabel(rule: string): string {
  return RULE_LABELS[rule as RiskRule] ?? rule;
}

export function resolutionLabel(resolution: string): string {
  return RESOLUTIONS[resolution] ?? resolution;
}

/** Whom a coordinator's message about an alert reaches, in the words of its form. */
export interface AlertAudience {
  /** The form's accessible name. */
  form: string;
  /** The message field's label. */
  label: string;
  /** Where the message goes, and who does not see it. */
  hint: string;
  /** The send button. */
  send: string;
  /** The status once sent. */
  sent: string;
  /** The link to the conversation written in. */
  link: string;
}

/**
 * The pair, for the program's own rules; the person who raised the alert alone (their request or
 * named answer), whose words the other person of the pair does not see.
 */
export function alertAudience(alert: Pick<Alert, 'mentee' | 'mentor' | 'raised_by'>): AlertAudience {
  const person = alert.raised_by;
  if (person) {
    const other = person.user_id === alert.mentee.user_id ? alert.mentor : alert.mentee;
    return {
      form: `Write to ${person.name} alone`,
      label: `Message to ${person.name} alone`,
      hint: `Opens a conversation of you and ${person.name} (once) and posts this there. ${other.name} does not see it.`,
      send: `Send to ${person.name} alone`,
      sent: `Message sent to ${person.name} alone.`,
      link: `Open the conversation with ${person.name}`,
    };
  }
  return {
    form: `Message ${alert.mentee.name} and ${alert.mentor.name}`,
    label: 'Message to the pair',
    hint: 'Opens a conversation of you and the pair (once) and posts this there.',
    send: 'Send message',
    sent: 'Message sent to the pair.',
    link: 'Open the conversation with the pair',
  };
}

export function AlertsPanel({ programId }: { programId: string }) {
  const [all, setAll] = useState(false);
  // Said here, not in the card: a resolved alert's card leaves the list of open ones.
  const [done, setDone] = useState<string | null>(null);
  const alerts = usePagedList(pairKeys.alertList(programId, all), (cursor) => dataApi.alerts(programId, all, cursor));
  return (
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      <p>
        Pairs that may need help. A pair out of touch already had one nudge from Kindred when its alert was raised. When
        one person asked for support, or said in a named survey answer that the match is not working, you follow it up
        with that person alone: the other person is not told.
      </p>
      <CheckboxField label="Show resolved alerts too" checked={all} onChange={setAll} />
      <StatusMessage message={done} />
      <QueryStatus query={alerts} loading="Loading alerts…" />
      {alerts.isSuccess && alerts.items.length === 0 ? (
        <p>{all ? 'No alerts yet.' : 'No open alerts. Every pair seems fine.'}</p>
      ) : null}
      {alerts.items.length > 0 ? (
        <ul className="alert-list">
          {alerts.items.map((a) => (
            <li key={a.id}>
              <AlertCard programId={programId} alert={a} onDone={setDone} />
            </li>
          ))}
        </ul>
      ) : null}
      <LoadMore {...alerts} what="alerts" />
    </section>
  );
}

function AlertCard({ programId, alert, onDone }: { programId: string; alert: Alert; onDone: (status: string) => void }) {
  const queryClient = useQueryClient();
  const headingId = `alert-${alert.id}-heading`;
  const [text, setText] = useState('');
  const [textError, setTextError] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [channelId, setChannelId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = !alert.resolved_at;
  const closedAs = alert.resolution ? resolutionLabel(alert.resolution) : null;
  const audience = alertAudience(alert);

  function refresh() {
    void queryClient.invalidateQueries({ queryKey: pairKeys.alerts(programId) });
    void queryClient.invalidateQueries({ queryKey: pairKeys.engagement(programId) });
    void queryClient.invalidateQueries({ queryKey: dashboardKeys.ofProgram(programId) });
  }

  const message = useMutation({
    mutationFn: () => dataApi.messagePair(programId, alert.id, text.trim()),
    onSuccess: (result) => {
      setText('');
      setError(null);
      setChannelId(result.channel_id);
      setStatus(audience.sent);
    },
    onError: (e) => {
      const fields = fieldErrors(e);
      setTextError(fields.text);
      setError(fields.text ? null : errorMessage(e));
    },
  });
  const rematch = useMutation({
    mutationFn: () => dataApi.rematchPair(programId, alert.id),
    onSuccess: () => {
      setConfirming(false);
      onDone(`The match of ${alert.mentee.name} and ${alert.mentor.name} has ended; ${alert.mentee.name} will be matched again.`);
      refresh();
    },
    onError: (e) => setError(errorMessage(e)),
  });
  const resolve = useMutation({
    mutationFn: () => dataApi.resolveAlert(programId, alert.id),
    onSuccess: () => {
      onDone(`The alert about ${alert.mentee.name} and ${alert.mentor.name} is resolved.`);
      refresh();
    },
    onError: (e) => setError(errorMessage(e)),
  });
  const busy = message.isPending || rematch.isPending || resolve.isPending;

  function onSend(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    if (text.trim() === '') {
      setTextError('Write a message first.');
      return;
    }
    setTextError(undefined);
    message.mutate();
  }

  return (
    <article className="card alert-card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {alert.mentee.name} and {alert.mentor.name}: {ruleLabel(alert.rule)}
      </h3>
      <dl className="facts">
        <div>
          <dt>Raised</dt>
          <dd>{formatDateTime(alert.raised_at)}</dd>
        </div>
        {alert.raised_by ? (
          <div>
            <dt>Raised by</dt>
            <dd>{alert.raised_by.name}</dd>
          </div>
        ) : null}
        {alert.detail ? (
          <div>
            <dt>Why</dt>
            <dd>{alert.detail}</dd>
          </div>
        ) : null}
        <div>
          <dt>Status</dt>
          <dd>{open ? 'Open' : `Closed ${formatDateTime(alert.resolved_at)}${closedAs ? ` (${closedAs})` : ''}`}</dd>
        </div>
      </dl>
      <FormError message={error} />
      {open ? (
        <>
          <form onSubmit={onSend} noValidate aria-label={audience.form}>
            <TextAreaField
              label={audience.label}
              hint={audience.hint}
              rows={3}
              value={text}
              onChange={setText}
              error={textError}
            />
            <div className="actions">
              <button type="submit" disabled={busy}>
                {message.isPending ? 'Sending…' : audience.send}
              </button>
              <button type="button" className="button-secondary" onClick={() => resolve.mutate()} disabled={busy}>
                {resolve.isPending ? 'Resolving…' : 'Mark resolved'}
              </button>
              {!confirming ? (
                <button type="button" className="button-danger" onClick={() => setConfirming(true)} disabled={busy}>
                  Rematch…
                </button>
              ) : null}
            </div>
          </form>
          {confirming ? (
            <div className="confirm-box" role="group" aria-labelledby={`${headingId}-confirm`}>
              <p id={`${headingId}-confirm`}>
                <strong>End this match?</strong> {alert.mentee.name} and {alert.mentor.name} will no longer be a pair,
                and {alert.mentee.name} will wait for a new mentor. This cannot be undone.
              </p>
              <div className="actions">
                <button type="button" className="button-danger" onClick={() => rematch.mutate()} disabled={busy}>
                  {rematch.isPending ? 'Ending…' : 'Yes, end the match and rematch'}
                </button>
                <button type="button" className="button-secondary" onClick={() => setConfirming(false)} disabled={busy}>
                  Cancel
                </button>
              </div>
            </div>
          ) : null}
        </>
      ) : null}
      <StatusMessage message={status} />
      {channelId ? (
        <p>
          <Link to={`/messages/${encodeURIComponent(channelId)}`}>{audience.link}</Link>
        </p>
      ) : null}
    </article>
  );
}

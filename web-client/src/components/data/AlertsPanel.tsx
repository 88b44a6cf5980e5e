// The "Alerts" section: pairs at risk, and what a coordinator can do about each: write to the
// pair (in a group channel of the coordinator and the pair), end the match so the mentee is
// matched again (after a confirmation), or mark the alert resolved. New alerts arrive live
// (an `alert` frame refreshes this list).
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
  falling_ratings: 'Falling ratings',
  not_a_good_fit: 'Not a good fit',
};

const RESOLUTIONS: Record<string, string> = {
  resolved: 'resolved by a coordinator',
  rematched: 'the match ended for a rematch',
  cleared: 'the pair was in touch again',
};

export function ruleLabel(rule: string): string {
  return RULE_LABELS[rule as RiskRule] ?? rule;
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
        Pairs that may need help. Each pair already had one nudge from Kindred when its alert was raised.
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
  const closedAs = alert.resolution ? (RESOLUTIONS[alert.resolution] ?? alert.resolution) : null;

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
      setStatus('Message sent to the pair.');
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
          <form onSubmit={onSend} noValidate aria-label={`Message ${alert.mentee.name} and ${alert.mentor.name}`}>
            <TextAreaField
              label="Message to the pair"
              hint="Opens a conversation of you and the pair (once) and posts this there."
              rows={3}
              value={text}
              onChange={setText}
              error={textError}
            />
            <div className="actions">
              <button type="submit" disabled={busy}>
                {message.isPending ? 'Sending…' : 'Send message'}
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
          <Link to={`/messages/${encodeURIComponent(channelId)}`}>Open the conversation with the pair</Link>
        </p>
      ) : null}
    </article>
  );
}

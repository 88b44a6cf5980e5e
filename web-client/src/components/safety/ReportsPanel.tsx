// The "Reports" section of a program's data: the moderation queue (docs/safety.md). Open reports,
// most severe first (closed ones too on request), each with its reason and severity, a Repeat
// badge when the person was reported by someone else before or often, who reported whom, their
// words, the copies of the messages the reporter chose to share (clearly copies, and only those),
// earlier reports about the same person, and what a coordinator can do, always with a reason:
// dismiss it, warn the person (their words go to that person alone, from the coordinator), end
// the match between the two, mute the person in the program's group channels for a time, take
// them out of the reported message's channel, or suspend them from the program. New reports arrive live (a `report` frame refreshes this list).
import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { fieldErrors, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { matchKeys, memberKeys, reportKeys } from '../../api/queryKeys';
import type { Report, ReportOutcome } from '../../api/types';
import { fullTime, messageTime } from '../../chat/format';
import { formatDateTime } from '../../lib/format';
import {
  closeActions,
  closeDone,
  closeErrorMessage,
  closeProblems,
  earlierText,
  kindLabel,
  outcomeLabel,
  queueHeading,
  queueOrder,
} from '../../lib/reports';
import { chosenMinutes, DURATION_CHOICES, MAX_MUTE_MINUTES, minutesProblem, type DurationChoice } from '../../lib/moderation';
import {
  CheckboxField,
  FormError,
  RadioGroupField,
  StatusMessage,
  TextAreaField,
  TextField,
  useFocusFirstInvalid,
} from '../forms';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';

export function ReportsPanel({ programId }: { programId: string }) {
  const [all, setAll] = useState(false);
  // Said here, not in the card: a closed report's card leaves the list of open ones.
  const [done, setDone] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const reports = usePagedList(reportKeys.queue(programId, all), (cursor) => api.programReports(programId, all, cursor));
  const shown = queueOrder(reports.items);
  return (
    <section aria-labelledby="reports-heading">
      <h2 id="reports-heading">Reports</h2>
      <p>
        What members reported to you, the most severe first: a safety concern, then harassment and discrimination,
        inappropriate content, other, spam. Message text reaches you only as the copies a reporter chose to share. The
        person reported is never told who reported them. Whatever you do, give a reason: it is kept in the audit log
        with your name.
      </p>
      <CheckboxField label="Show closed reports too" checked={all} onChange={setAll} />
      <div ref={statusRef} tabIndex={-1} className="status-anchor">
        <StatusMessage message={done} />
      </div>
      <QueryStatus query={reports} loading="Loading reports…" />
      {reports.isSuccess && shown.length === 0 ? <p>{all ? 'No reports yet.' : 'No open reports.'}</p> : null}
      {shown.length > 0 ? (
        <ul className="alert-list report-queue" aria-labelledby="reports-heading">
          {shown.map((r) => (
            <li key={r.id}>
              <ReportCard
                programId={programId}
                report={r}
                onDone={(message) => {
                  setDone(message);
                  statusRef.current?.focus();
                }}
              />
            </li>
          ))}
        </ul>
      ) : null}
      <LoadMore {...reports} what="reports" />
    </section>
  );
}

function ReportCard({ programId, report, onDone }: { programId: string; report: Report; onDone: (message: string) => void }) {
  const base = useId();
  const headingId = `${base}-heading`;
  const open = !report.closed_at;
  return (
    <article className="card report-card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {queueHeading(report)}
        {report.repeat ? (
          <>
            {' '}
            <span className="badge badge-repeat">Repeat</span>
          </>
        ) : null}
      </h3>
      <p className="report-who">
        <strong>{report.reporter.name}</strong> <span aria-hidden="true">→</span>
        <span className="visually-hidden"> reported</span> <strong>{report.subject.name}</strong>
      </p>
      <dl className="facts">
        <div>
          <dt>What</dt>
          <dd>{kindLabel(report.kind)}</dd>
        </div>
        <div>
          <dt>Reported</dt>
          <dd>
            <time dateTime={report.created_at}>{formatDateTime(report.created_at)}</time>
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            {open ? 'Open' : `Closed ${formatDateTime(report.closed_at)}: ${outcomeLabel(report.outcome)}`}
          </dd>
        </div>
        {!open && report.reason ? (
          <div>
            <dt>Why</dt>
            <dd className="pre-line">{report.reason}</dd>
          </div>
        ) : null}
      </dl>
      <h4>{report.reporter.name}’s words</h4>
      {report.note ? <p className="pre-line report-note">{report.note}</p> : <p className="muted">No words added.</p>}
      {report.kind === 'message' ? <SharedCopies report={report} /> : null}
      {report.earlier.length > 0 ? (
        <>
          <h4 id={`${base}-earlier`}>Earlier reports about {report.subject.name}</h4>
          <ul className="report-earlier" aria-labelledby={`${base}-earlier`}>
            {report.earlier.map((e) => (
              <li key={e.id}>
                <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>: {earlierText(e)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {open ? <CloseForm programId={programId} report={report} labelledBy={headingId} onDone={onDone} /> : null}
    </article>
  );
}

/** The copies of the messages the reporter shared: only those, and clearly copies. */
function SharedCopies({ report }: { report: Report }) {
  const id = useId();
  const count = report.messages.length;
  return (
    <div className="report-copies">
      <h4 id={id}>Messages shared by {report.reporter.name} (copies)</h4>
      {count === 0 ? (
        <p className="muted">{report.reporter.name} shared no messages.</p>
      ) : (
        <>
          <p className="field-hint">
            Copies of the {count === 1 ? 'message' : `${count} messages`} {report.reporter.name} chose to share, as they
            were when reported. Nothing else of the conversation is shown.
          </p>
          <ol className="report-copy-list" aria-labelledby={id}>
            {report.messages.map((m) => (
              <li key={`${m.channel_id}-${m.seq}`} className="report-copy">
                <p className="message-meta">
                  <span className="message-sender">{m.sender.name}</span>{' '}
                  <time dateTime={m.sent_at} title={fullTime(m.sent_at)}>
                    {messageTime(m.sent_at)}
                  </time>
                </p>
                <blockquote className="message-body">{m.body}</blockquote>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

function CloseForm({
  programId,
  report,
  labelledBy,
  onDone,
}: {
  programId: string;
  report: Report;
  labelledBy: string;
  onDone: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const actions = closeActions(report);
  const [outcome, setOutcome] = useState<ReportOutcome | ''>('');
  const [reason, setReason] = useState('');
  const [warning, setWarning] = useState('');
  const [duration, setDuration] = useState<DurationChoice | ''>('');
  const [custom, setCustom] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const close = useMutation({
    mutationFn: (chosen: ReportOutcome) =>
      api.closeReport(programId, report.id, {
        outcome: chosen,
        reason: reason.trim(),
        ...(chosen === 'warned' ? { warning: warning.trim() } : {}),
        ...(chosen === 'muted' ? { minutes: chosenMinutes(duration, custom) } : {}),
      }),
    onMutate: () => setFormError(null),
    onSuccess: (_, chosen) => {
      onDone(closeDone(chosen, report));
      void queryClient.invalidateQueries({ queryKey: reportKeys.ofProgram(programId) });
      if (chosen === 'match_ended') void queryClient.invalidateQueries({ queryKey: matchKeys.ofProgram(programId) });
      if (chosen === 'muted' || chosen === 'suspended') {
        void queryClient.invalidateQueries({ queryKey: memberKeys.list(programId) });
      }
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(closeErrorMessage(e, report));
      // Closed meanwhile by someone else: show it as it is.
      void queryClient.invalidateQueries({ queryKey: reportKeys.ofProgram(programId) });
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (close.isPending) return;
    const problems = closeProblems(outcome, reason, warning);
    if (outcome === 'muted') {
      const problem = minutesProblem(duration, custom);
      if (problem) problems[duration === 'custom' ? 'minutes' : 'duration'] = problem;
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !outcome) {
      setFormError('Please correct the problems marked below.');
      return;
    }
    setFormError(null);
    close.mutate(outcome);
  }

  const chosen = actions.find((a) => a.value === outcome);
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="inline-panel" aria-labelledby={`${labelledBy} ${labelledBy}-act`}>
      <h4 id={`${labelledBy}-act`}>Close this report</h4>
      <FormError message={formError} />
      <RadioGroupField
        legend="What to do"
        required
        value={outcome}
        onChange={(value) => setOutcome(value as ReportOutcome)}
        options={actions}
        // Said until an action is chosen.
        error={outcome ? undefined : errors.outcome}
      />
      {outcome === 'warned' ? (
        <TextAreaField
          label={`Warning for ${report.subject.name}`}
          name="warning"
          rows={4}
          required
          value={warning}
          onChange={setWarning}
          error={errors.warning}
          hint={`${report.subject.name} reads this alone, from you, in your conversation with them (opened once). They are not told who reported them.`}
        />
      ) : null}
      {outcome === 'muted' ? (
        <>
          <RadioGroupField
            legend={`Mute ${report.subject.name} for how long`}
            required
            value={duration}
            onChange={(value) => setDuration(value as DurationChoice)}
            options={DURATION_CHOICES}
            error={errors.duration}
            hint={`${report.subject.name} keeps reading the program’s group channels, but what they send there is refused, saying until when. Their conversations of two are untouched.`}
          />
          {duration === 'custom' ? (
            <TextField
              label="Minutes"
              name="minutes"
              inputMode="numeric"
              required
              value={custom}
              onChange={setCustom}
              error={errors.minutes}
              hint={`From 1 to ${MAX_MUTE_MINUTES.toLocaleString('en')} (30 days).`}
            />
          ) : null}
        </>
      ) : null}
      {outcome === 'removed' ? (
        <p className="field-hint">
          Takes {report.subject.name} out of the channel of the reported message: it disappears from their screens at
          once and they no longer read it.
        </p>
      ) : null}
      {outcome === 'suspended' ? (
        <p className="field-hint">
          Until reinstated (Program data → Members), {report.subject.name} is no member of the program: its pages and
          channels disappear from their screens at once, and nothing of theirs is deleted.
        </p>
      ) : null}
      {outcome === 'match_ended' ? (
        <p className="field-hint">
          Ends the active match of {report.reporter.name} and {report.subject.name}; both are matched again.
        </p>
      ) : null}
      <TextAreaField
        label="Reason"
        name="reason"
        rows={3}
        required
        value={reason}
        onChange={setReason}
        error={errors.reason}
        hint="Why you chose this. Kept in the audit log with your name, and shown to the program’s coordinators."
      />
      <div className="actions">
        <button
          type="submit"
          className={outcome === 'dismissed' || outcome === '' ? undefined : 'button-danger'}
          aria-disabled={close.isPending ? true : undefined}
        >
          {close.isPending ? 'Saving…' : (chosen?.submit ?? 'Close the report')}
        </button>
      </div>
    </form>
  );
}

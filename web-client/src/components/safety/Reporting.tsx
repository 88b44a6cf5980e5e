// Reporting to a program's coordinators (docs/safety.md): "Report…" buttons on other people's
// messages, in a pair conversation's header, on My matches, on a meeting, and for someone of a
// group event on its page and in its live room open one dialog, held by the page's frame (Layout)
// like the block confirmation. The dialog asks for a reason and,
// optionally, words of one's own; for a message it lists the loaded messages of that conversation
// to share (the reported one ticked). Before anything is sent it says plainly what the
// coordinators will see: who reports whom, the reason and words, and copies of exactly the ticked
// messages, nothing else; the reported person is not told who reported them. Then it sends the
// report (POST /api/reports) and says where to follow it (Settings → My reports).
import { useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { fieldErrors, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { reportKeys } from '../../api/queryKeys';
import type { ReportCategory } from '../../api/types';
import { fullTime, messageTime } from '../../chat/format';
import {
  excerpt,
  initialShare,
  MAX_SHARED,
  MY_REPORTS_PATH,
  noteCounter,
  noteProblem,
  notToldText,
  REPORT_CATEGORIES,
  REPORT_FIELDS,
  reportDisclosure,
  reportErrorMessage,
  reportInput,
  reportSent,
  reportTitle,
  toggleShare,
  type ReportTarget,
  type ShareCandidate,
} from '../../lib/reports';
import { useSession } from '../../session';
import { useModalDialog } from '../call/useModalDialog';
import { FormError, RadioGroupField, StatusMessage, TextAreaField, useFocusFirstInvalid } from '../forms';
import { dialogHost, pageHeading } from './DialogHost';

const host = dialogHost<ReportTarget>((target, onClose) => <ReportDialog target={target} onClose={onClose} />);

/** Holds the report dialog of the signed-in frame (Layout). */
export const ReportingProvider = host.Provider;

/**
 * "Report…": opens the dialog for what `target` builds (when clicked, so that a message report
 * lists the messages loaded then). The caller decides whether to offer it (not for my own
 * messages, nor Kindred's); nothing shows outside a ReportingProvider.
 */
export function ReportButton({
  target,
  label,
  className = 'button-secondary',
}: {
  target: () => ReportTarget;
  /**
   * What the button is called, starting with "Report" ("Report Kwame", "Report the message from
   * Kwame, 14:05"): its accessible name, while it shows "Report…". A name rather than hidden text,
   * so that the page's text (a sender's name beside the message) stays as it reads.
   */
  label: string;
  className?: string;
}) {
  const reporting = host.useAsk();
  if (!reporting) return null;
  return (
    <button type="button" className={className} aria-label={`${label}…`} onClick={() => reporting.ask(target())}>
      Report…
    </button>
  );
}

function ReportDialog({ target, onClose }: { target: ReportTarget; onClose: () => void }) {
  const base = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  // The dialog has much to read before its first field: it opens on its title.
  useModalDialog(dialog, titleRef, pageHeading);
  const queryClient = useQueryClient();
  const { session } = useSession();
  const programName = session?.memberships.find((m) => m.program_id === target.programId)?.program_name ?? null;
  const candidates = target.kind === 'message' ? target.candidates : [];
  const [category, setCategory] = useState<ReportCategory | ''>('');
  const [note, setNote] = useState('');
  const [share, setShare] = useState<number[]>(() => (target.kind === 'message' ? initialShare(candidates, target.seq) : []));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const send = useMutation({
    mutationFn: (chosen: ReportCategory) => api.report(reportInput(target, chosen, note, share)),
    onMutate: () => setFormError(null),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: reportKeys.mine });
      setDone(reportSent(programName));
    },
    onError: (e) => {
      const found = fieldErrors(e);
      setErrors(Object.fromEntries(Object.entries(found).filter(([key]) => REPORT_FIELDS.includes(key))));
      setFormError(reportErrorMessage(e, target.kind));
    },
  });

  // The form gives way to Close: the focus stays in the dialog, on Close.
  useLayoutEffect(() => {
    if (done) closeRef.current?.focus();
  }, [done]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (send.isPending) return;
    const found: FieldErrors = {};
    if (!category) found.category = 'Choose what this is about.';
    const tooLong = noteProblem(note);
    if (tooLong) found.note = tooLong;
    setErrors(found);
    if (Object.keys(found).length > 0 || !category) {
      setFormError('Please correct the problems marked below.');
      return;
    }
    send.mutate(category);
  }

  const name = target.person.name;
  const titleId = `${base}-title`;
  const introId = `${base}-intro`;
  return (
    <dialog
      ref={dialog}
      className="call-dialog report-dialog"
      aria-labelledby={titleId}
      aria-describedby={introId}
      onCancel={(event) => {
        event.preventDefault();
        if (!send.isPending) onClose();
      }}
    >
      <h2 id={titleId} ref={titleRef} tabIndex={-1}>
        {done ? 'Report sent' : reportTitle(target)}
      </h2>
      <StatusMessage message={done} />
      {done ? (
        <>
          <p id={introId}>
            You can follow it under{' '}
            <Link to={MY_REPORTS_PATH} onClick={onClose}>
              Settings → My reports
            </Link>
            , where it shows as Reviewed once the coordinators have looked into it. {notToldText(name)}
          </p>
          <div className="actions">
            <button ref={closeRef} type="button" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <form ref={formRef} onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
          <p id={introId}>
            Your report goes to the coordinators of {programName ?? 'the program'}, who decide what to do about it.
          </p>
          <FormError message={formError} />
          <RadioGroupField
            legend="What is it about?"
            required
            value={category}
            onChange={(value) => setCategory(value as ReportCategory)}
            options={REPORT_CATEGORIES}
            // Said until a reason is chosen.
            error={category ? undefined : errors.category}
          />
          <TextAreaField
            label="In your own words (optional)"
            name="note"
            rows={4}
            value={note}
            onChange={setNote}
            error={errors.note}
            hint={`What happened, and anything the coordinators should know. ${noteCounter(note)}.`}
          />
          {target.kind === 'message' ? (
            <ShareList
              candidates={candidates}
              reported={target.seq}
              ticked={share}
              onChange={setShare}
              error={errors.share}
            />
          ) : null}
          <div className="report-disclosure">
            <h3 id={`${base}-sees`}>What the coordinators will see</h3>
            <ul aria-labelledby={`${base}-sees`}>
              {reportDisclosure(target, share.length).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            <p>{notToldText(name)}</p>
          </div>
          <div className="actions">
            <button type="submit" aria-disabled={send.isPending ? true : undefined}>
              {send.isPending ? 'Sending…' : 'Send report'}
            </button>
            <button type="button" className="button-secondary" onClick={onClose} disabled={send.isPending}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/** The checklist of messages to share: exactly the ticked ones are copied into the report. */
function ShareList({
  candidates,
  reported,
  ticked,
  onChange,
  error,
}: {
  candidates: readonly ShareCandidate[];
  reported: number;
  ticked: readonly number[];
  onChange: (ticked: number[]) => void;
  error?: string;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <fieldset
      className={error ? 'choice-group share-list field-invalid' : 'choice-group share-list'}
      aria-describedby={error ? `${hintId} ${errorId}` : hintId}
    >
      <legend>Share these messages with the coordinators</legend>
      <p className="field-hint" id={hintId}>
        The coordinators see copies of exactly the messages you tick, as they are now, and no other message of this
        conversation. Untick any you would rather keep to yourself. At most {MAX_SHARED}.
      </p>
      {candidates.length === 0 ? (
        <p>None of this conversation’s messages can be shared.</p>
      ) : (
        <ul className="checkbox-list share-choices">
          {candidates.map((c, i) => (
            <li key={c.seq}>
              <input
                id={`${id}-${i}`}
                type="checkbox"
                checked={ticked.includes(c.seq)}
                onChange={(e) => onChange(toggleShare(candidates, ticked, c.seq, e.target.checked))}
                aria-invalid={error ? true : undefined}
              />
              <label htmlFor={`${id}-${i}`}>
                <span className="share-meta">
                  <strong>{c.sender}</strong>,{' '}
                  <time dateTime={c.sentAt} title={fullTime(c.sentAt)}>
                    {messageTime(c.sentAt)}
                  </time>
                  {c.seq === reported ? ' (the message you report)' : ''}:
                </span>{' '}
                <span className="share-body">{excerpt(c.body)}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

// Asking the program's coordinators to get in touch about one's own active match. Before anything
// is sent, the form says plainly who learns what: the coordinators see that I asked and my note;
// the other person of the match is not told. Kindred offers it privately after a check-in of mine
// that went badly (SupportOfferPanel, in the post-call dialog and on the Meetings page), and
// anyone may ask from their active match on My matches.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import type { SupportOffer } from '../../api/types';
import { SUPPORT_SENT, supportSharing, validateSupportNote } from '../../lib/support';
import { FormError, TextAreaField, useFocusFirstInvalid } from '../forms';

export function SupportRequestForm({
  matchId,
  otherName,
  labelledBy,
  onSent,
  dismissLabel,
  onDismiss,
  focusNote = false,
}: {
  matchId: string;
  /** The other person of the match, who is not told. */
  otherName: string;
  /** The id of the heading that names the form. */
  labelledBy: string;
  /** After the request went through, with the outcome in words. */
  onSent: (message: string) => void;
  /** A button beside "Ask for support" ("No thanks" for an offer, "Cancel" in a panel). */
  dismissLabel?: string;
  onDismiss?: () => void;
  /** Start in the note (a panel the person opened); an offer starts at its question instead. */
  focusNote?: boolean;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const sharingId = useId();
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  useEffect(() => {
    if (focusNote) formRef.current?.querySelector('textarea')?.focus();
  }, [focusNote]);

  const ask = useMutation({
    mutationFn: () => api.askForSupport(matchId, note.trim() || undefined),
    onSuccess: () => onSent(SUPPORT_SENT),
    // A 409 (already asked while that request is open, or the match ended) says so in the API's
    // words; a too long note shows under the note.
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['note']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validateSupportNote(note);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length === 0) ask.mutate();
  }

  return (
    <form
      ref={formRef}
      onSubmit={onSubmit}
      noValidate
      className="support-form"
      aria-labelledby={labelledBy}
      aria-describedby={sharingId}
    >
      <p id={sharingId}>{supportSharing(otherName)}</p>
      <FormError message={formError} />
      <TextAreaField
        label="Anything you would like them to know? (optional)"
        value={note}
        onChange={setNote}
        error={errors.note}
        rows={3}
      />
      <div className="actions">
        <button type="submit" disabled={ask.isPending}>
          {ask.isPending ? 'Sending…' : 'Ask for support'}
        </button>
        {onDismiss ? (
          <button type="button" className="button-secondary" onClick={onDismiss} disabled={ask.isPending}>
            {dismissLabel}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/**
 * Kindred's private question after a check-in whose ratings of calls with this person are
 * falling: would they like a coordinator to get in touch? Nobody else learns the rating, or that
 * this was asked. Focus moves to the question when it appears, right after the check-in.
 */
export function SupportOfferPanel({
  offer,
  level,
  onSent,
  onDecline,
}: {
  offer: SupportOffer;
  /** The heading's level where the panel sits (3 in the post-call dialog, 2 on a page). */
  level: 2 | 3;
  onSent: (message: string) => void;
  /** "No thanks". */
  onDecline: () => void;
}) {
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className="support-offer" aria-labelledby={headingId}>
      <Heading id={headingId} ref={heading} tabIndex={-1}>
        Would you like a coordinator to get in touch?
      </Heading>
      <p>Sorry that your call with {offer.with.name} did not go well. Only you see this question.</p>
      <SupportRequestForm
        matchId={offer.match_id}
        otherName={offer.with.name}
        labelledBy={headingId}
        onSent={onSent}
        dismissLabel="No thanks"
        onDismiss={onDecline}
      />
    </section>
  );
}

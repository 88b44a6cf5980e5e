// A check-in after a call both people joined: a rating from 1 to 5 and an optional note. Each
// person rates a call once; coordinators see the ratings only as totals for the whole program,
// once enough people have rated calls, and never the note. When this person's own ratings of
// calls with the other person are falling, the answer carries an offer for them alone (to ask a
// coordinator to get in touch), which the form hands to its host: the form itself goes away once
// the call is no longer pending.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { checkinKeys } from '../../api/queryKeys';
import type { SupportOffer } from '../../api/types';
import { MAX_NOTE, RATINGS } from '../../lib/meetings';
import { FormError, RadioGroupField, TextAreaField, useFocusFirstInvalid } from '../forms';

export function CheckinForm({
  callId,
  legend,
  onDone,
  extraActions,
}: {
  callId: string;
  /** The question, naming the call ("How was your call with Kwame?"). */
  legend: string;
  /** After the check-in went through: thanks in words, and the private offer of support, if any. */
  onDone: (message: string, offer: SupportOffer | null) => void;
  /** More buttons beside Send ("Not now"). */
  extraActions?: ReactNode;
}) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [rating, setRating] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const send = useMutation({
    mutationFn: () => api.checkin(callId, Number(rating), note.trim()),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: checkinKeys.pending });
      onDone('Thank you: your check-in was sent.', result.support_offer);
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      setFormError(formErrorMessage(e, ['rating', 'note']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: FieldErrors = {};
    if (rating === '') found.rating = 'Choose a rating from 1 to 5.';
    if (Array.from(note.trim()).length > MAX_NOTE) found.note = `Use at most ${MAX_NOTE} characters.`;
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length === 0) send.mutate();
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="checkin-form">
      <FormError message={formError} />
      <RadioGroupField
        legend={legend}
        value={rating}
        onChange={setRating}
        options={RATINGS}
        error={errors.rating}
        hint="1 is poor, 5 is great."
        required
      />
      <TextAreaField
        label="Anything to add? (optional)"
        value={note}
        onChange={setNote}
        error={errors.note}
        hint="Coordinators see ratings only as totals for the whole program, once enough people have rated calls. If a call goes badly, Kindred may ask you, and only you, whether you would like help."
        rows={3}
      />
      <div className="actions">
        <button type="submit" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send check-in'}
        </button>
        {extraActions}
      </div>
    </form>
  );
}

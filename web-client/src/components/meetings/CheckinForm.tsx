// A check-in after a call both people joined: a rating from 1 to 5 and an optional note. Each
// person rates a call once; coordinators see the ratings only in aggregate.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { checkinKeys } from '../../api/queryKeys';
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
  onDone: (message: string) => void;
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
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: checkinKeys.pending });
      onDone('Thank you: your check-in was sent.');
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
        hint="Ratings reach your program’s coordinators only as totals for the whole program."
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

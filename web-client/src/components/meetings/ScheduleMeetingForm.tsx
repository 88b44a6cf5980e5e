// Proposing a meeting to one of my matches: whom, a title, the date and time as the person's own
// clock shows them (their profile's time zone), the length and an optional agenda. The other
// person then accepts the time or proposes another. A retry of the same submission reuses its
// client id, so a lost answer never creates the meeting twice.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import type { Meeting } from '../../api/types';
import { newClientId } from '../../chat/client';
import { DURATIONS, durationLabel, MAX_AGENDA, MAX_TITLE, meetingFieldErrors, validateSchedule } from '../../lib/meetings';
import { defaultStartInputs } from '../../lib/zoned';
import { FormError, SelectField, TextAreaField, TextField, useFocusFirstInvalid } from '../forms';

export const DURATION_OPTIONS = DURATIONS.map((d) => ({ value: String(d), label: durationLabel(d) }));

export interface PairChoice {
  value: string;
  label: string;
}

export function ScheduleMeetingForm({
  pairs,
  initialMatchId,
  zone,
  onScheduled,
}: {
  pairs: readonly PairChoice[];
  initialMatchId: string | null;
  zone: string;
  onScheduled: (meeting: Meeting) => void;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [start] = useState(() => defaultStartInputs(Date.now(), zone));
  const [matchId, setMatchId] = useState(initialMatchId ?? (pairs.length === 1 ? (pairs[0]?.value ?? '') : ''));
  const [title, setTitle] = useState('');
  const [date, setDate] = useState(start.date);
  const [time, setTime] = useState(start.time);
  const [duration, setDuration] = useState('30');
  const [agenda, setAgenda] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  // One id per meeting being proposed: the same on a retry, a new one once it is created.
  const clientId = useRef(newClientId());
  useFocusFirstInvalid(formRef, errors);

  const create = useMutation({
    mutationFn: (meeting: Parameters<typeof api.createMeeting>[0]) => api.createMeeting(meeting),
    onSuccess: (meeting) => {
      clientId.current = newClientId();
      setTitle('');
      setAgenda('');
      setErrors({});
      setFormError(null);
      onScheduled(meeting);
    },
    onError: (e) => {
      setErrors(meetingFieldErrors(fieldErrors(e)));
      setFormError(formErrorMessage(e, ['match_id', 'title', 'starts_at', 'duration_min', 'agenda']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const checked = validateSchedule({ matchId, title, agenda, date, time, duration }, zone, Date.now());
    setErrors(checked.errors);
    setFormError(Object.keys(checked.errors).length ? 'Please correct the problems marked below.' : null);
    if (!checked.startsAt) return;
    create.mutate({
      match_id: matchId,
      title: title.trim(),
      agenda: agenda.trim(),
      starts_at: checked.startsAt,
      duration_min: checked.durationMin,
      client_id: clientId.current,
    });
  }

  // Editing what was sent makes it another meeting, with its own id.
  function edit<T>(set: (v: T) => void) {
    return (v: T) => {
      clientId.current = newClientId();
      set(v);
    };
  }

  const pairOptions = [{ value: '', label: 'Choose a person' }, ...pairs];
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="schedule-form">
      <FormError message={formError} />
      <SelectField
        label="Meet with"
        name="match_id"
        value={matchId}
        onChange={edit(setMatchId)}
        options={pairOptions}
        error={errors.match_id}
        required
      />
      <TextField
        label="Title"
        name="title"
        value={title}
        onChange={edit(setTitle)}
        error={errors.title}
        maxLength={MAX_TITLE}
        required
      />
      <StartFields
        date={date}
        time={time}
        duration={duration}
        onDate={edit(setDate)}
        onTime={edit(setTime)}
        onDuration={edit(setDuration)}
        errors={errors}
        zone={zone}
      />
      <TextAreaField
        label="Agenda (optional)"
        name="agenda"
        value={agenda}
        onChange={edit(setAgenda)}
        error={errors.agenda}
        hint={`What you would like to talk about. At most ${MAX_AGENDA} characters.`}
        rows={3}
      />
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Sending…' : 'Propose meeting'}
        </button>
      </div>
    </form>
  );
}

/** The date, start time and length of a meeting, read in `zone`. */
export function StartFields({
  date,
  time,
  duration,
  onDate,
  onTime,
  onDuration,
  errors,
  zone,
}: {
  date: string;
  time: string;
  duration: string;
  onDate: (v: string) => void;
  onTime: (v: string) => void;
  onDuration: (v: string) => void;
  errors: FieldErrors;
  zone: string;
}) {
  return (
    <div className="field-row">
      <TextField label="Date" name="date" type="date" value={date} onChange={onDate} error={errors.date} required />
      <TextField
        label="Start time"
        name="time"
        type="time"
        value={time}
        onChange={onTime}
        error={errors.time}
        hint={`Your time zone: ${zone}.`}
        required
      />
      <SelectField
        label="Length"
        name="duration_min"
        value={duration}
        onChange={onDuration}
        options={DURATION_OPTIONS}
        error={errors.duration_min}
      />
    </div>
  );
}

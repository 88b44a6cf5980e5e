// A program's group events, for its coordinators (on the program page): the form to create one
// (title, description, when in the coordinator's time zone, length, capacity, who is invited,
// speakers picked among the members), each problem shown next to its field, and the program's
// events (a page at a time) with how many are going and a Cancel button.
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage, fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import { EVENT_AUDIENCES, eventsApi, type EventAudience, type GroupEvent, type NewEvent } from '../../api/events';
import { eventKeys, memberKeys } from '../../api/queryKeys';
import { addProgramEvent, applyEventUpdate, type EventPages } from '../../chat/events';
import {
  durationLabel,
  EVENT_DURATIONS,
  EVENT_FORM_FIELDS,
  eventFieldErrors,
  eventStartMs,
  eventWhen,
  isCancelled,
  MAX_CAPACITY,
  MAX_EVENT_DESCRIPTION,
  MAX_EVENT_TITLE,
  MAX_SPEAKERS,
  MIN_CAPACITY,
  placesText,
  validateEvent,
} from '../../lib/events';
import { browserTimeZone } from '../../lib/format';
import { defaultStartInputs, formatInZone, preferredZone } from '../../lib/zoned';
import { useSession } from '../../session';
import { FormError, RadioGroupField, SelectField, StatusMessage, TextAreaField, TextField, useFocusFirstInvalid } from '../forms';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';
import { MemberPicker } from './MemberPicker';

const DURATION_OPTIONS = EVENT_DURATIONS.map((d) => ({ value: String(d), label: durationLabel(d) }));

export function ProgramEventsSection({ programId }: { programId: string }) {
  const { user } = useSession();
  const zone = preferredZone(user?.time_zone, browserTimeZone());
  const [status, setStatus] = useState<string | null>(null);
  return (
    <section aria-labelledby="events-heading" className="card">
      <h2 id="events-heading">Events</h2>
      <p>
        Panels and workshops for the program, with speakers and a number of places. The people invited find them
        under <Link to="/events">Events</Link>.
      </p>
      <StatusMessage message={status} />
      <CreateEventForm programId={programId} zone={zone} onCreated={setStatus} />
      <ProgramEventList programId={programId} zone={zone} onDone={setStatus} />
    </section>
  );
}

function CreateEventForm({
  programId,
  zone,
  onCreated,
}: {
  programId: string;
  zone: string;
  onCreated: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const members = usePagedList(memberKeys.list(programId), (cursor) => api.members(programId, cursor));
  const [start] = useState(() => defaultStartInputs(Date.now(), zone));
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [date, setDate] = useState(start.date);
  const [time, setTime] = useState(start.time);
  const [duration, setDuration] = useState('60');
  const [capacity, setCapacity] = useState('50');
  const [audience, setAudience] = useState<EventAudience>('program');
  const [cohort, setCohort] = useState('');
  const [invitees, setInvitees] = useState<string[]>([]);
  const [speakers, setSpeakers] = useState<string[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, errors);

  const create = useMutation({
    mutationFn: (event: NewEvent) => eventsApi.create(programId, event),
    onSuccess: (event) => {
      setTitle('');
      setDescription('');
      setInvitees([]);
      setSpeakers([]);
      setErrors({});
      setFormError(null);
      queryClient.setQueryData<EventPages>(eventKeys.ofProgram(programId), (old) => addProgramEvent(old, event));
      void queryClient.invalidateQueries({ queryKey: eventKeys.ofProgram(programId) });
      void queryClient.invalidateQueries({ queryKey: eventKeys.mine });
      onCreated(`Event “${event.title}” created for ${formatInZone(eventStartMs(event), zone)}.`);
    },
    onError: (e) => {
      setErrors(eventFieldErrors(fieldErrors(e)));
      setFormError(formErrorMessage(e, EVENT_FORM_FIELDS));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const checked = validateEvent(
      { title, description, date, time, duration, capacity, audience, cohort, invitees, speakers },
      zone,
      Date.now(),
    );
    setErrors(checked.errors);
    setFormError(Object.keys(checked.errors).length ? 'Please correct the problems marked below.' : null);
    if (!checked.startsAt) return;
    create.mutate({
      title: title.trim(),
      description: description.trim(),
      starts_at: checked.startsAt,
      duration_min: checked.durationMin,
      capacity: checked.capacity,
      audience,
      cohort: audience === 'cohort' ? cohort.trim() : '',
      invitees: audience === 'people' ? invitees : [],
      speakers,
    });
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="event-form" aria-labelledby="create-event-heading">
      <h3 id="create-event-heading">Create an event</h3>
      <FormError message={formError} />
      <TextField label="Title" name="title" value={title} onChange={setTitle} error={errors.title} maxLength={MAX_EVENT_TITLE} required />
      <TextAreaField
        label="Description (optional)"
        name="description"
        value={description}
        onChange={setDescription}
        error={errors.description}
        hint={`What the event is about and who it is for. At most ${MAX_EVENT_DESCRIPTION} characters.`}
        rows={3}
      />
      <div className="field-row">
        <TextField label="Date" name="date" type="date" value={date} onChange={setDate} error={errors.date} required />
        <TextField
          label="Start time"
          name="time"
          type="time"
          value={time}
          onChange={setTime}
          error={errors.time}
          hint={`Your time zone: ${zone}.`}
          required
        />
        <SelectField
          label="Length"
          name="duration_min"
          value={duration}
          onChange={setDuration}
          options={DURATION_OPTIONS}
          error={errors.duration_min}
        />
        <TextField
          label="Places"
          name="capacity"
          type="number"
          inputMode="numeric"
          min={MIN_CAPACITY}
          max={MAX_CAPACITY}
          value={capacity}
          onChange={setCapacity}
          error={errors.capacity}
          hint={`How many may say they are going (${MIN_CAPACITY}–${MAX_CAPACITY}).`}
          required
        />
      </div>
      <RadioGroupField
        legend="Who is invited"
        value={audience}
        onChange={(v) => setAudience(v as EventAudience)}
        options={EVENT_AUDIENCES}
        error={errors.audience}
        required
      />
      {audience === 'cohort' ? (
        <TextField
          label="Cohort"
          name="cohort"
          value={cohort}
          onChange={setCohort}
          error={errors.cohort}
          hint="The cohort’s name, as set on its members."
          required
        />
      ) : null}
      <QueryStatus query={members} loading="Loading the program’s members…" />
      {members.isSuccess ? (
        <>
          {audience === 'people' ? (
            <MemberPicker
              legend="People invited"
              members={members.items}
              values={invitees}
              onChange={setInvitees}
              error={errors.invitees}
            />
          ) : null}
          <MemberPicker
            legend="Speakers"
            members={members.items}
            values={speakers}
            onChange={setSpeakers}
            error={errors.speakers}
            hint={`Optional, at most ${MAX_SPEAKERS}. You host the event.`}
          />
          <LoadMore {...members} what="members" />
        </>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create event'}
        </button>
      </div>
    </form>
  );
}

function ProgramEventList({
  programId,
  zone,
  onDone,
}: {
  programId: string;
  zone: string;
  onDone: (message: string) => void;
}) {
  const events = usePagedList(eventKeys.ofProgram(programId), (cursor) => eventsApi.ofProgram(programId, cursor));
  const items = events.items;
  return (
    <div className="program-events">
      <h3 id="program-events-heading">The program’s events</h3>
      <QueryStatus query={events} loading="Loading the program’s events…" />
      {events.isSuccess && items.length === 0 ? <p>No events yet.</p> : null}
      {items.length > 0 ? (
        <ul className="meeting-list" aria-labelledby="program-events-heading">
          {items.map((e) => (
            <li key={e.id}>
              <ProgramEventItem event={e} zone={zone} onDone={onDone} />
            </li>
          ))}
        </ul>
      ) : null}
      <LoadMore {...events} what="events" />
    </div>
  );
}

function ProgramEventItem({ event, zone, onDone }: { event: GroupEvent; zone: string; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const cancelled = isCancelled(event);
  const cancel = useMutation({
    mutationFn: () => eventsApi.cancel(event.id),
    onMutate: () => setError(null),
    onSuccess: (updated) => {
      applyEventUpdate(queryClient, updated);
      onDone(`You cancelled “${updated.title}”. Everyone going is told.`);
    },
    onError: (e) => setError(errorMessage(e)),
  });
  const headingId = `program-event-${event.id}`;
  return (
    <article className="card meeting-card" aria-labelledby={headingId}>
      <h4 id={headingId}>
        <Link to={`/events/${event.id}`}>{event.title}</Link>
      </h4>
      <p className="meeting-when">{eventWhen(event, zone)}</p>
      <p className="meeting-meta">
        {cancelled ? <span className="badge badge-meeting-cancelled">Cancelled</span> : <span>{event.going} going · {placesText(event)}</span>}
      </p>
      <FormError message={error} />
      {!cancelled ? (
        <div className="actions">
          <button
            type="button"
            className="button-danger"
            disabled={cancel.isPending}
            onClick={() => {
              if (window.confirm(`Cancel “${event.title}”? Everyone going is told, and it takes no more answers.`)) cancel.mutate();
            }}
          >
            {cancel.isPending ? 'Cancelling…' : 'Cancel event'}
            <span className="visually-hidden"> “{event.title}”</span>
          </button>
        </div>
      ) : null}
    </article>
  );
}

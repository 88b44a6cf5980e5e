// One meeting as one of its two people sees it: when (in their time zone), with whom, the agenda,
// its status in words, and what they may do: accept the proposed time, propose another, decline
// or cancel, download it as an `.ics` file for their calendar, and report it to the program's
// coordinators.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage, fieldErrors, formErrorMessage, type FieldErrors } from '../../api/client';
import { api } from '../../api/endpoints';
import type { Meeting } from '../../api/types';
import { applyMeetingUpdate } from '../../chat/meetings';
import { durationLabel, endMs, icsFileName, meetingFieldErrors, meetingView, startMs, validateTime } from '../../lib/meetings';
import { formatInZone, formatTimeInZone, instantInputs, sameDayInZone } from '../../lib/zoned';
import { FormError } from '../forms';
import { ReportButton } from '../safety/Reporting';
import { StartFields } from './ScheduleMeetingForm';

/** "Tuesday, January 15, 2030 at 9:00 AM – 9:30 AM" in `zone`. */
export function meetingWhen(meeting: Meeting, zone: string): string {
  const start = startMs(meeting);
  const end = endMs(meeting);
  const endText = sameDayInZone(start, end, zone) ? formatTimeInZone(end, zone) : formatInZone(end, zone);
  return `${formatInZone(start, zone)} – ${endText}`;
}

export function MeetingCard({
  meeting,
  me,
  zone,
  now,
  onDone,
}: {
  meeting: Meeting;
  me: string | null;
  zone: string;
  now: number;
  onDone: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const base = useId();
  const v = meetingView(meeting, me, now);
  const [proposing, setProposing] = useState(false);
  const [closedPanel, setClosedPanel] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const actionsRef = useRef<HTMLDivElement>(null);

  // Closing the panel puts focus back on the buttons it came from.
  useEffect(() => {
    if (closedPanel > 0) actionsRef.current?.querySelector<HTMLElement>('button, a')?.focus();
  }, [closedPanel]);

  const accept = useMutation({
    mutationFn: () => api.acceptMeeting(meeting.id),
    onMutate: () => setError(null),
    onSuccess: (updated) => {
      applyMeetingUpdate(queryClient, updated);
      onDone(`You accepted “${updated.title}” with ${v.other.name}, ${formatInZone(startMs(updated), zone)}.`);
    },
    onError: (e) => setError(errorMessage(e)),
  });

  const cancel = useMutation({
    mutationFn: () => api.cancelMeeting(meeting.id),
    onMutate: () => setError(null),
    onSuccess: (updated) => {
      applyMeetingUpdate(queryClient, updated);
      onDone(
        updated.status === 'declined'
          ? `You declined “${updated.title}” with ${v.other.name}.`
          : `You cancelled “${updated.title}” with ${v.other.name}.`,
      );
    },
    onError: (e) => setError(errorMessage(e)),
  });

  const busy = accept.isPending || cancel.isPending;
  const headingId = `${base}-heading`;
  return (
    <article className="card meeting-card" aria-labelledby={headingId}>
      <h3 id={headingId}>{meeting.title}</h3>
      <p className="meeting-when">
        <strong>{meetingWhen(meeting, zone)}</strong> <span className="muted">({durationLabel(meeting.duration_min)})</span>
      </p>
      <p className="meeting-meta">
        With {v.other.name} · <span className={`badge badge-meeting-${meeting.status}`}>{v.badge}</span>
      </p>
      <p className="meeting-status">{v.statusText}</p>
      {meeting.agenda ? (
        <div className="meeting-agenda">
          <h4>Agenda</h4>
          <p className="pre-line">{meeting.agenda}</p>
        </div>
      ) : null}
      <FormError message={error} />
      {!proposing ? (
        <div className="actions" ref={actionsRef}>
          {v.canAccept ? (
            <button type="button" onClick={() => accept.mutate()} disabled={busy}>
              {accept.isPending ? 'Accepting…' : 'Accept'}
              <span className="visually-hidden"> “{meeting.title}”</span>
            </button>
          ) : null}
          {v.canPropose ? (
            <button type="button" className="button-secondary" onClick={() => setProposing(true)} disabled={busy}>
              Propose another time<span className="visually-hidden"> for “{meeting.title}”</span>
            </button>
          ) : null}
          {v.cancel ? (
            <button type="button" className="button-danger" onClick={() => cancel.mutate()} disabled={busy}>
              {cancel.isPending ? 'Saving…' : v.cancel === 'decline' ? 'Decline' : 'Cancel meeting'}
              <span className="visually-hidden"> “{meeting.title}”</span>
            </button>
          ) : null}
          <a className="button button-secondary" href={api.meetingIcsUrl(meeting.id)} download={icsFileName(meeting.title)}>
            Download .ics<span className="visually-hidden"> for “{meeting.title}”</span>
          </a>
          <ReportButton
            target={() => ({
              kind: 'meeting',
              meetingId: meeting.id,
              programId: meeting.program_id,
              title: meeting.title,
              person: { id: v.other.user_id, name: v.other.name },
            })}
            label={`Report the meeting “${meeting.title}”`}
          />
        </div>
      ) : (
        <ProposeTimeForm
          meeting={meeting}
          zone={zone}
          headingId={`${base}-propose`}
          otherName={v.other.name}
          onDone={(updated) => {
            applyMeetingUpdate(queryClient, updated);
            setProposing(false);
            onDone(`You proposed ${formatInZone(startMs(updated), zone)} for “${updated.title}”. ${v.other.name} can accept it or propose another time.`);
          }}
          onClose={() => {
            setProposing(false);
            setClosedPanel((n) => n + 1);
          }}
        />
      )}
    </article>
  );
}

function ProposeTimeForm({
  meeting,
  zone,
  headingId,
  otherName,
  onDone,
  onClose,
}: {
  meeting: Meeting;
  zone: string;
  headingId: string;
  otherName: string;
  onDone: (meeting: Meeting) => void;
  onClose: () => void;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [initial] = useState(() => instantInputs(startMs(meeting), zone));
  const [date, setDate] = useState(initial.date);
  const [time, setTime] = useState(initial.time);
  const [duration, setDuration] = useState(String(meeting.duration_min));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);

  const propose = useMutation({
    mutationFn: ({ startsAt, durationMin }: { startsAt: string; durationMin: number }) =>
      api.proposeMeetingTime(meeting.id, startsAt, durationMin),
    onSuccess: onDone,
    onError: (e) => {
      setErrors(meetingFieldErrors(fieldErrors(e)));
      setFormError(formErrorMessage(e, ['starts_at', 'duration_min']));
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const checked = validateTime({ date, time, duration }, zone, Date.now());
    setErrors(checked.errors);
    setFormError(null);
    if (!checked.startsAt) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    propose.mutate({ startsAt: checked.startsAt, durationMin: checked.durationMin });
  }

  return (
    <form
      ref={formRef}
      onSubmit={onSubmit}
      noValidate
      className="inline-panel"
      aria-labelledby={headingId}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !propose.isPending) onClose();
      }}
    >
      <h4 id={headingId}>Propose another time for “{meeting.title}”</h4>
      <p>{otherName} will be asked to accept the new time.</p>
      <FormError message={formError} />
      <StartFields
        date={date}
        time={time}
        duration={duration}
        onDate={setDate}
        onTime={setTime}
        onDuration={setDuration}
        errors={errors}
        zone={zone}
      />
      <div className="actions">
        <button type="submit" disabled={propose.isPending}>
          {propose.isPending ? 'Sending…' : 'Propose this time'}
        </button>
        <button type="button" className="button-secondary" onClick={onClose} disabled={propose.isPending}>
          Keep the current time
        </button>
      </div>
    </form>
  );
}

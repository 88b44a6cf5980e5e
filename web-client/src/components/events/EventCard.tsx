// One group event as an invited person (or its host, a speaker, a coordinator) sees it: when
// (in their time zone), who hosts and speaks, how many places are left, their answer, the
// Going / Not going buttons, and the `.ics` file for their calendar. A refused answer (the event
// is full, or was cancelled) is said in plain words, and the event is fetched again.
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client';
import { eventsApi, type GroupEvent } from '../../api/events';
import { conductKeys, eventKeys } from '../../api/queryKeys';
import { applyEventUpdate } from '../../chat/events';
import { isConductRefusal } from '../../lib/conduct';
import { icsFileName } from '../../lib/meetings';
import {
  audienceText,
  canDecline,
  canGo,
  durationLabel,
  eventWhen,
  isCancelled,
  placesText,
  rsvpErrorMessage,
  rsvpText,
  speakersText,
} from '../../lib/events';
import { FormError } from '../forms';

export function EventCard({
  event,
  zone,
  now,
  heading = 'h3',
  headingText,
  linkTitle = false,
  onDone,
}: {
  event: GroupEvent;
  zone: string;
  now: number;
  heading?: 'h2' | 'h3';
  /** The card's heading when it is not the event's title (the detail page has that as its h1). */
  headingText?: string;
  linkTitle?: boolean;
  onDone: (message: string | null) => void;
}) {
  const queryClient = useQueryClient();
  const base = useId();
  const [error, setError] = useState<string | null>(null);
  const cancelled = isCancelled(event);
  const speakers = speakersText(event.speakers);

  const rsvp = useMutation({
    mutationFn: (going: boolean) => eventsApi.rsvp(event.id, going),
    onMutate: () => {
      setError(null);
      // The last outcome no longer holds; the new one (or this card's error) replaces it.
      onDone(null);
    },
    onSuccess: (updated, going) => {
      applyEventUpdate(queryClient, updated);
      onDone(
        going
          ? `You are going to “${updated.title}”. ${placesText(updated)}.`
          : `You said you are not going to “${updated.title}”.`,
      );
    },
    onError: (e) => {
      setError(rsvpErrorMessage(e, event));
      // Refused until I accept the program's code of conduct: the prompt above the page shows it.
      if (isConductRefusal(e)) void queryClient.invalidateQueries({ queryKey: conductKeys.mine });
      // Full or cancelled: show the event as it is now.
      if (e instanceof ApiError && e.status === 409) {
        void queryClient.invalidateQueries({ queryKey: eventKeys.mine });
        void queryClient.invalidateQueries({ queryKey: eventKeys.detail(event.id) });
      }
    },
  });

  const headingId = `${base}-heading`;
  const Heading = heading;
  return (
    <article className="card meeting-card event-card" aria-labelledby={headingId}>
      <Heading id={headingId}>
        {headingText ?? (linkTitle ? <Link to={`/events/${event.id}`}>{event.title}</Link> : event.title)}
      </Heading>
      <p className="meeting-when">
        <strong>{eventWhen(event, zone)}</strong> <span className="muted">({durationLabel(event.duration_min)})</span>
      </p>
      {cancelled ? (
        <p className="meeting-status">
          <span className="badge badge-meeting-cancelled">Cancelled</span> This event was cancelled.
        </p>
      ) : null}
      <dl className="facts event-facts">
        <div>
          <dt>Host</dt>
          <dd>{event.host.name}</dd>
        </div>
        {speakers ? (
          <div>
            <dt>{event.speakers.length === 1 ? 'Speaker' : 'Speakers'}</dt>
            <dd>{speakers}</dd>
          </div>
        ) : null}
        <div>
          <dt>Invited</dt>
          <dd>{audienceText(event)}</dd>
        </div>
        <div>
          <dt>Places</dt>
          <dd>{placesText(event)}</dd>
        </div>
        <div>
          <dt>Your answer</dt>
          <dd>{rsvpText(event)}</dd>
        </div>
      </dl>
      <FormError message={error} />
      <div className="actions">
        {canGo(event, now) ? (
          <button type="button" onClick={() => rsvp.mutate(true)} disabled={rsvp.isPending}>
            {rsvp.isPending && rsvp.variables ? 'Saving…' : 'Going'}
            <span className="visually-hidden"> to “{event.title}”</span>
          </button>
        ) : null}
        {canDecline(event, now) ? (
          <button type="button" className="button-secondary" onClick={() => rsvp.mutate(false)} disabled={rsvp.isPending}>
            {rsvp.isPending && !rsvp.variables ? 'Saving…' : 'Not going'}
            <span className="visually-hidden"> to “{event.title}”</span>
          </button>
        ) : null}
        <a className="button button-secondary" href={eventsApi.icsUrl(event.id)} download={icsFileName(event.title)}>
          Download .ics<span className="visually-hidden"> for “{event.title}”</span>
        </a>
      </div>
    </article>
  );
}

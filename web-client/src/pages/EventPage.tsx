// One group event (/events/:id; the reminder emails link here): the live room (join, the lobby,
// the stage, the audience, the host's controls and the event's chat), then when it is, who hosts
// and speaks, the description, the places left, my answer and the `.ics` file; for anyone invited,
// "Report someone from this event…" (its host and speakers, to the program's coordinators).
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { eventsApi, type GroupEvent } from '../api/events';
import { eventKeys } from '../api/queryKeys';
import { EventCard } from '../components/events/EventCard';
import { EventRemoval } from '../components/events/EventRemoval';
import { StatusMessage } from '../components/forms';
import { PageHeading, PageQueryStatus } from '../components/Page';
import { RoomPanel } from '../components/room/RoomPanel';
import { ReportButton } from '../components/safety/Reporting';
import { browserTimeZone } from '../lib/format';
import { roleIn } from '../lib/moderation';
import { eventReportPeople, eventReportTarget } from '../lib/reports';
import { useNow } from '../lib/useNow';
import { preferredZone } from '../lib/zoned';
import { useSession } from '../session';

export function EventPage() {
  const { id = '' } = useParams();
  const { user, session } = useSession();
  const zone = preferredZone(user?.time_zone, browserTimeZone());
  const now = useNow();
  const event = useQuery({ queryKey: eventKeys.detail(id), queryFn: () => eventsApi.get(id) });
  const [status, setStatus] = useState<string | null>(null);

  if (!event.data) {
    return <PageQueryStatus query={event} title="Event" back={{ to: '/events', label: 'Back to your events' }} />;
  }
  const e = event.data;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/events">Events</Link>
      </p>
      <PageHeading title={e.title}>{e.title}</PageHeading>
      <StatusMessage message={status} />
      {/* Keyed by the event: another event's page starts outside its room. */}
      <RoomPanel key={e.id} event={e} now={now} zone={zone} />
      <EventCard event={e} zone={zone} now={now} heading="h2" headingText="When and who" onDone={setStatus} />
      {e.description ? (
        <section aria-labelledby="about-event" className="card">
          <h2 id="about-event">About this event</h2>
          <p className="pre-line">{e.description}</p>
        </section>
      ) : null}
      <EventReporting event={e} me={user?.id ?? null} />
      {roleIn(session?.memberships, e.program_id) === 'coordinator' ? (
        <EventRemoval
          event={e}
          me={user?.id ?? null}
          programName={session?.memberships.find((m) => m.program_id === e.program_id)?.program_name ?? 'this program'}
        />
      ) : null}
    </>
  );
}

/**
 * "Report someone from this event…": a disclosure listing the event's host and speakers (not me),
 * each with its own "Report…" opening the report dialog for that person. Nothing when there is
 * nobody else to report.
 */
function EventReporting({ event, me }: { event: GroupEvent; me: string | null }) {
  const people = eventReportPeople(event, me);
  if (people.length === 0) return null;
  return (
    <details className="card event-report">
      <summary>Report someone from this event…</summary>
      <p>
        Tell the program’s coordinators about someone who hosted or spoke at this event. No messages are shared with
        your report.
      </p>
      <ul className="event-report-people">
        {people.map((p) => (
          <li key={p.id}>
            {p.name}
            <span className="muted"> · {p.role}</span>{' '}
            <ReportButton
              target={() => eventReportTarget(event, p)}
              label={`Report ${p.name} from this event`}
              className="button-secondary button-small"
            />
          </li>
        ))}
      </ul>
    </details>
  );
}

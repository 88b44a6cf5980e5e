// My group events: the panels and workshops I am invited to, speak at or host that have not
// ended, soonest first, with my answer and the places left. Times are shown in the person's time
// zone, a page at a time. The list stays live: `group_event` frames (a cancellation, a reminder)
// refetch it.
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import { eventsApi } from '../api/events';
import { eventKeys } from '../api/queryKeys';
import { EventCard } from '../components/events/EventCard';
import { StatusMessage } from '../components/forms';
import { PageHeading, QueryStatus } from '../components/Page';
import { LoadMore, usePagedList } from '../components/paged';
import { browserTimeZone } from '../lib/format';
import { isValidZone, preferredZone } from '../lib/zoned';
import { useNow } from '../lib/useNow';
import { useSession } from '../session';

export function EventsPage() {
  const { user } = useSession();
  const zone = preferredZone(user?.time_zone, browserTimeZone());
  const fromProfile = isValidZone(user?.time_zone);
  const now = useNow();
  const events = usePagedList(eventKeys.mine, (cursor) => eventsApi.mine(cursor));
  const [status, setStatus] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const items = events.items;

  return (
    <>
      <PageHeading title="Events">Events</PageHeading>
      <p>Panels and workshops your programs’ coordinators host for you.</p>
      <p className="muted">
        Times are in {zone}
        {fromProfile ? ', the time zone in your profile' : ', your browser’s time zone'}. You can change it on your{' '}
        <Link to="/profile">profile</Link>.
      </p>
      <div ref={statusRef} tabIndex={-1} className="status-anchor">
        <StatusMessage message={status} />
      </div>
      <section aria-labelledby="upcoming-events-heading">
        <h2 id="upcoming-events-heading">Upcoming events</h2>
        <QueryStatus query={events} loading="Loading your events…" />
        {events.isSuccess && items.length === 0 ? <p>No upcoming events.</p> : null}
        {items.length > 0 ? (
          <ul className="meeting-list">
            {items.map((e) => (
              <li key={e.id}>
                <EventCard event={e} zone={zone} now={now} linkTitle onDone={setStatus} />
              </li>
            ))}
          </ul>
        ) : null}
        <LoadMore {...events} what="events" />
      </section>
    </>
  );
}

// Meetings: calls waiting for a check-in, upcoming meetings (with what the person may do about
// each), proposing a new one to a match, past meetings, and the private calendar feed. Times are
// shown and typed in the person's time zone. The list stays live: `meeting` frames on the chat
// connection update it (chat/meetings.ts). `?channel=<pair channel>` (the Schedule link in a
// conversation) chooses that pair in the form and takes the reader to it. A check-in that comes
// back with a private offer of support shows it at the top of the page: the check-in form goes
// away with the call once it is no longer pending, the offer stays until it is answered.
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints';
import { checkinKeys, matchKeys, meetingKeys } from '../api/queryKeys';
import type { Meeting, SupportOffer } from '../api/types';
import { applyMeetingUpdate } from '../chat/meetings';
import { StatusMessage } from '../components/forms';
import { CalendarFeedSection } from '../components/meetings/CalendarFeedSection';
import { CheckinForm } from '../components/meetings/CheckinForm';
import { MeetingCard } from '../components/meetings/MeetingCard';
import { ScheduleMeetingForm } from '../components/meetings/ScheduleMeetingForm';
import { SupportOfferPanel } from '../components/meetings/SupportRequest';
import { PageHeading, QueryStatus } from '../components/Page';
import { usePagedList } from '../components/paged';
import { browserTimeZone } from '../lib/format';
import { pairChoices, splitMeetings, startMs } from '../lib/meetings';
import { useNow } from '../lib/useNow';
import { formatInZone, isValidZone, preferredZone } from '../lib/zoned';
import { useSession } from '../session';

export function MeetingsPage() {
  const { user } = useSession();
  const me = user?.id ?? null;
  const zone = preferredZone(user?.time_zone, browserTimeZone());
  const fromProfile = isValidZone(user?.time_zone);
  const queryClient = useQueryClient();
  // Moves on every 30 s, so meetings that end move to the past ones.
  const now = useNow();
  const [params] = useSearchParams();
  const channelParam = params.get('channel');
  const meetings = useQuery({ queryKey: meetingKeys.mine, queryFn: () => api.myMeetings() });
  const matches = usePagedList(matchKeys.mine, (cursor) => api.myMatches(cursor));
  const [status, setStatus] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  // The latest private offer of support, with a number so that a new one is a new panel (which
  // takes focus) even for the same match.
  const [offer, setOffer] = useState<{ offer: SupportOffer; n: number } | null>(null);

  function done(message: string) {
    setStatus(message);
    // The meeting acted on may have moved to another list: keep focus on the outcome.
    statusRef.current?.focus();
  }

  function checkedIn(message: string, supportOffer: SupportOffer | null) {
    if (!supportOffer) {
      done(message);
      return;
    }
    // The offer's panel takes focus (its question), under the thanks.
    setStatus(message);
    setOffer((o) => ({ offer: supportOffer, n: (o?.n ?? 0) + 1 }));
  }

  const { upcoming, past } = splitMeetings(meetings.data?.items ?? [], now);
  const pairs = pairChoices(matches.items, me);
  const chosen = channelParam ? (pairs.find((p) => p.channelId === channelParam)?.value ?? null) : null;

  return (
    <>
      <PageHeading title="Meetings">Meetings</PageHeading>
      <p className="muted">
        Times are in {zone}
        {fromProfile ? ', the time zone in your profile' : ', your browser’s time zone'}. You can change it on your{' '}
        <Link to="/profile">profile</Link>.
      </p>
      <div ref={statusRef} tabIndex={-1} className="status-anchor">
        <StatusMessage message={status} />
      </div>
      {offer ? (
        <div className="card">
          <SupportOfferPanel
            key={offer.n}
            offer={offer.offer}
            level={2}
            onSent={(message) => {
              setOffer(null);
              done(message);
            }}
            onDecline={() => {
              setOffer(null);
              statusRef.current?.focus();
            }}
          />
        </div>
      ) : null}
      <PendingCheckins onDone={checkedIn} />
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">Upcoming meetings</h2>
        <QueryStatus query={meetings} loading="Loading your meetings…" />
        {meetings.isSuccess && upcoming.length === 0 ? <p>No upcoming meetings.</p> : null}
        <MeetingList meetings={upcoming} me={me} zone={zone} now={now} onDone={done} />
      </section>
      <ScheduleSection
        key={chosen ?? 'none'}
        pairs={pairs}
        loading={matches.isPending}
        chosen={chosen}
        focus={channelParam !== null && chosen !== null}
        zone={zone}
        onScheduled={(meeting) => {
          applyMeetingUpdate(queryClient, meeting);
          done(
            `You proposed “${meeting.title}” to ${meeting.invitee.name}, ${formatInZone(startMs(meeting), zone)}. ` +
              'They can accept it or propose another time.',
          );
        }}
      />
      {past.length > 0 ? (
        <section aria-labelledby="past-heading">
          <h2 id="past-heading">Past meetings</h2>
          <MeetingList meetings={past} me={me} zone={zone} now={now} onDone={done} />
        </section>
      ) : null}
      <CalendarFeedSection />
    </>
  );
}

function MeetingList({
  meetings,
  me,
  zone,
  now,
  onDone,
}: {
  meetings: readonly Meeting[];
  me: string | null;
  zone: string;
  now: number;
  onDone: (message: string) => void;
}) {
  if (meetings.length === 0) return null;
  return (
    <ul className="meeting-list">
      {meetings.map((m) => (
        <li key={m.id}>
          <MeetingCard meeting={m} me={me} zone={zone} now={now} onDone={onDone} />
        </li>
      ))}
    </ul>
  );
}

function ScheduleSection({
  pairs,
  loading,
  chosen,
  focus,
  zone,
  onScheduled,
}: {
  pairs: ReturnType<typeof pairChoices>;
  loading: boolean;
  chosen: string | null;
  focus: boolean;
  zone: string;
  onScheduled: (meeting: Meeting) => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const chosenName = chosen ? pairs.find((p) => p.value === chosen)?.label : undefined;
  // Coming from a conversation's Schedule link: start at the form (after the page's heading
  // took focus on navigation).
  useEffect(() => {
    if (!focus) return;
    const timer = window.setTimeout(() => {
      heading.current?.focus();
      heading.current?.scrollIntoView({ block: 'start' });
    }, 0);
    return () => window.clearTimeout(timer);
  }, [focus]);
  return (
    <section aria-labelledby="schedule" className="card">
      <h2 id="schedule" ref={heading} tabIndex={-1}>
        Schedule a meeting{chosenName ? ` with ${chosenName}` : ''}
      </h2>
      {loading ? (
        <p role="status" className="loading">
          Loading your matches…
        </p>
      ) : pairs.length === 0 ? (
        <p>
          You can schedule meetings once you have an active match. See <Link to="/matches">My matches</Link>.
        </p>
      ) : (
        <ScheduleMeetingForm pairs={pairs} initialMatchId={chosen} zone={zone} onScheduled={onScheduled} />
      )}
    </section>
  );
}

function PendingCheckins({ onDone }: { onDone: (message: string, offer: SupportOffer | null) => void }) {
  const pending = useQuery({ queryKey: checkinKeys.pending, queryFn: () => api.pendingCheckins() });
  const calls = pending.data?.calls ?? [];
  if (pending.isError) {
    return (
      <section aria-labelledby="checkins-heading">
        <h2 id="checkins-heading">Check-ins</h2>
        <QueryStatus query={pending} />
      </section>
    );
  }
  if (calls.length === 0) return null;
  return (
    <section aria-labelledby="checkins-heading">
      <h2 id="checkins-heading">Check in after your calls</h2>
      <p>How did your recent video calls go? A quick rating helps your program’s coordinators.</p>
      <ul className="meeting-list">
        {calls.map((call, i) => (
          <li key={call} className="card">
            <CheckinForm
              callId={call}
              legend={calls.length === 1 ? 'How was your recent call?' : `How was your call (${i + 1} of ${calls.length})?`}
              onDone={onDone}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

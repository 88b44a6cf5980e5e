// Pure helpers of the meeting pages: how a meeting looks from one of its two people (what they
// may do with it, its status in words), upcoming and past lists, the checks of the scheduling
// form, and the notices that live `meeting` frames raise.
import type { FieldErrors } from '../api/client';
import type { CheckinSummary, Match, Meeting, MeetingStatus } from '../api/types';
import { formatInZone, formatTimeInZone, parseWallTime, toRfc3339, zonedToInstant } from './zoned';

export const MAX_TITLE = 200;
export const MAX_AGENDA = 4000;
export const MAX_NOTE = 2000;
export const MIN_DURATION = 15;
export const MAX_DURATION = 240;
/** The lengths offered, in minutes (the API takes 15 to 240). */
export const DURATIONS: readonly number[] = [15, 30, 45, 60, 90, 120, 180, 240];
/** How far ahead a meeting may be (the API refuses more than a year). */
const MAX_AHEAD_MS = 365 * 86_400_000;

export function startMs(m: Meeting): number {
  return Date.parse(m.starts_at);
}

export function endMs(m: Meeting): number {
  return startMs(m) + m.duration_min * 60_000;
}

export function isOpenMeeting(m: Meeting): boolean {
  return m.status === 'proposed' || m.status === 'accepted';
}

export function durationLabel(minutes: number): string {
  if (minutes < 60) return `${minutes} minutes`;
  const h = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const hours = h === 1 ? '1 hour' : `${h} hours`;
  return rest ? `${hours} ${rest} minutes` : hours;
}

export interface MeetingView {
  /** The other person of the pair. */
  other: { user_id: string; name: string };
  /** Open and not over yet. */
  upcoming: boolean;
  /** I may accept the proposed time. */
  canAccept: boolean;
  /** I may propose another time. */
  canPropose: boolean;
  /** What cancelling does now: the invitee declines a proposal; otherwise it is a cancellation. */
  cancel: 'decline' | 'cancel' | null;
  /** The status in words, from my side ("Waiting for Kwame to accept"). */
  statusText: string;
  /** A short status for a badge. */
  badge: string;
}

export function meetingView(m: Meeting, me: string | null, nowMs: number): MeetingView {
  const other = m.organizer.user_id === me ? m.invitee : m.organizer;
  const open = isOpenMeeting(m);
  const notStarted = startMs(m) > nowMs;
  const upcoming = open && endMs(m) > nowMs;
  const proposedByMe = m.proposed_by === me;
  const proposer = proposedByMe ? 'You' : other.name;
  let statusText: string;
  switch (m.status) {
    case 'proposed':
      if (!notStarted) statusText = 'This proposed time has passed without an answer.';
      else if (proposedByMe) statusText = `You proposed this time. Waiting for ${other.name} to accept it or propose another.`;
      else statusText = `${other.name} proposed this time. Accept it, or propose another.`;
      break;
    case 'accepted':
      statusText = `Confirmed: both of you accepted this time (proposed by ${proposer === 'You' ? 'you' : proposer}).`;
      break;
    case 'declined':
      statusText = m.organizer.user_id === me ? `${other.name} declined.` : 'You declined.';
      break;
    case 'cancelled':
      statusText = 'Cancelled.';
      break;
  }
  return {
    other,
    upcoming,
    canAccept: m.status === 'proposed' && !proposedByMe && notStarted,
    canPropose: open && endMs(m) > nowMs,
    cancel: upcoming ? (m.status === 'proposed' && !proposedByMe ? 'decline' : 'cancel') : null,
    statusText,
    badge: meetingStatusLabel(m.status, proposedByMe),
  };
}

export function meetingStatusLabel(status: MeetingStatus, proposedByMe: boolean): string {
  switch (status) {
    case 'proposed':
      return proposedByMe ? 'Waiting for an answer' : 'Needs your answer';
    case 'accepted':
      return 'Confirmed';
    case 'declined':
      return 'Declined';
    case 'cancelled':
      return 'Cancelled';
  }
}

/**
 * Upcoming meetings (open, not over) soonest first, and past ones (over, declined or
 * cancelled) latest first.
 */
export function splitMeetings(meetings: readonly Meeting[], nowMs: number): { upcoming: Meeting[]; past: Meeting[] } {
  const upcoming: Meeting[] = [];
  const past: Meeting[] = [];
  for (const m of meetings) (isOpenMeeting(m) && endMs(m) > nowMs ? upcoming : past).push(m);
  upcoming.sort((a, b) => startMs(a) - startMs(b));
  past.sort((a, b) => startMs(b) - startMs(a));
  return { upcoming, past };
}

/** The list with `meeting` in place of its older version (or added), soonest first. */
export function upsertMeeting(list: readonly Meeting[], meeting: Meeting): Meeting[] {
  const found = list.some((m) => m.id === meeting.id);
  const next = found ? list.map((m) => (m.id === meeting.id ? newer(m, meeting) : m)) : [...list, meeting];
  return next.sort((a, b) => startMs(a) - startMs(b));
}

/** The later of two versions of a meeting (a frame may arrive after a fresher HTTP answer). */
function newer(a: Meeting, b: Meeting): Meeting {
  return Date.parse(b.updated_at) >= Date.parse(a.updated_at) ? b : a;
}

export interface TimeInput {
  date: string;
  time: string;
  duration: string;
}

/**
 * Checks a date and time typed in `zone` and turns them into the instant the API wants.
 * Errors are keyed `date`, `time` and `duration_min`.
 */
export function validateTime(
  input: TimeInput,
  zone: string,
  nowMs: number,
): { errors: FieldErrors; startsAt: string | null; durationMin: number } {
  const errors: FieldErrors = {};
  const durationMin = Number(input.duration);
  if (!Number.isInteger(durationMin) || durationMin < MIN_DURATION || durationMin > MAX_DURATION) {
    errors.duration_min = `Choose a length between ${MIN_DURATION} and ${MAX_DURATION} minutes.`;
  }
  if (input.date.trim() === '') errors.date = 'Choose a date.';
  if (input.time.trim() === '') errors.time = 'Choose a time.';
  if (errors.date || errors.time) return { errors, startsAt: null, durationMin };
  const wall = parseWallTime(input.date, input.time);
  if (!wall) {
    errors.date = 'Enter a real date and time, like 2030-01-15 and 09:30.';
    return { errors, startsAt: null, durationMin };
  }
  const ms = zonedToInstant(wall, zone);
  if (ms === null) {
    errors.time = `That time does not exist in ${zone}: the clocks go forward then. Choose another time.`;
    return { errors, startsAt: null, durationMin };
  }
  if (ms <= nowMs) errors.time = 'Choose a time in the future.';
  else if (ms > nowMs + MAX_AHEAD_MS) errors.date = 'Choose a date within a year from now.';
  return { errors, startsAt: Object.keys(errors).length ? null : toRfc3339(ms), durationMin };
}

export interface ScheduleInput extends TimeInput {
  matchId: string;
  title: string;
  agenda: string;
}

/** The scheduling form's checks; errors are keyed like the API's fields where there is one. */
export function validateSchedule(
  input: ScheduleInput,
  zone: string,
  nowMs: number,
): { errors: FieldErrors; startsAt: string | null; durationMin: number } {
  const time = validateTime(input, zone, nowMs);
  const errors: FieldErrors = { ...time.errors };
  if (input.matchId === '') errors.match_id = 'Choose who the meeting is with.';
  const title = input.title.trim();
  if (title === '') errors.title = 'Enter a title, like “Career plans”.';
  else if (Array.from(title).length > MAX_TITLE) errors.title = `Use at most ${MAX_TITLE} characters.`;
  if (Array.from(input.agenda).length > MAX_AGENDA) errors.agenda = `Use at most ${MAX_AGENDA} characters.`;
  return { errors, startsAt: Object.keys(errors).length ? null : time.startsAt, durationMin: time.durationMin };
}

/** The API's field errors, under the form's fields (the start is typed as a date and a time). */
export function meetingFieldErrors(fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(fields)) out[key === 'starts_at' ? 'time' : key] = value;
  return out;
}

/** Active matches, as choices of whom to meet. */
export function pairChoices(matches: readonly Match[], me: string | null): { value: string; label: string; channelId: string | null }[] {
  return matches
    .filter((m) => m.status === 'active')
    .map((m) => {
      const other = m.mentee.user_id === me ? m.mentor : m.mentee;
      return { value: m.id, label: `${other.name} (${m.program_name})`, channelId: m.channel_id };
    });
}

/** A notice raised by a live `meeting` frame. */
export interface MeetingNotice {
  /** Unique per event, so the same frame twice raises one notice. */
  key: string;
  meetingId: string;
  kind: 'reminder' | 'proposed' | 'accepted' | 'cancelled';
  text: string;
  /** Where the notice leads (Meetings when absent). */
  link?: { to: string; label: string };
}

/**
 * What to tell the person about a meeting frame, or null: a reminder always; a time the other
 * person proposed; the other person accepting my time. My own actions (from this or another
 * tab) raise nothing, and the list on the Meetings page shows cancellations.
 */
export function meetingNotice(meeting: Meeting, reminder: boolean, me: string | null, zone: string): MeetingNotice | null {
  const other = meeting.organizer.user_id === me ? meeting.invitee : meeting.organizer;
  const when = formatInZone(startMs(meeting), zone);
  const base = { meetingId: meeting.id };
  if (reminder) {
    return {
      ...base,
      key: `reminder:${meeting.id}:${meeting.starts_at}`,
      kind: 'reminder',
      text: `Reminder: “${meeting.title}” with ${other.name} starts in 15 minutes (${formatTimeInZone(startMs(meeting), zone)}).`,
    };
  }
  if (meeting.status === 'proposed' && meeting.proposed_by !== me) {
    return {
      ...base,
      key: `proposed:${meeting.id}:${meeting.updated_at}`,
      kind: 'proposed',
      text: `${other.name} proposed a meeting time: “${meeting.title}”, ${when}.`,
    };
  }
  if (meeting.status === 'accepted' && meeting.proposed_by === me) {
    return {
      ...base,
      key: `accepted:${meeting.id}:${meeting.updated_at}`,
      kind: 'accepted',
      text: `${other.name} accepted “${meeting.title}”, ${when}.`,
    };
  }
  return null;
}

/** A file name for a meeting's calendar file ("career-plans.ics"). */
export function icsFileName(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${slug || 'meeting'}.ics`;
}

export const RATINGS: readonly { value: string; label: string }[] = [
  { value: '1', label: '1 — Poor' },
  { value: '2', label: '2 — Fair' },
  { value: '3', label: '3 — Good' },
  { value: '4', label: '4 — Very good' },
  { value: '5', label: '5 — Great' },
];

/**
 * What coordinators are shown of a program's check-ins: nothing yet; how many, with the ratings
 * held back until enough different people have rated calls (with fewer, a total could be one
 * person's rating); or the totals.
 */
export type CheckinTotals =
  | { kind: 'none' }
  | { kind: 'withheld'; count: number; text: string }
  | { kind: 'shown'; count: number; average: number; distribution: readonly number[] };

export function checkinTotals(summary: CheckinSummary): CheckinTotals {
  const { count, average, distribution } = summary;
  if (count === 0) return { kind: 'none' };
  if (average === null || distribution === null) {
    return {
      kind: 'withheld',
      count,
      text: `Ratings are shown once at least ${summary.minimum_people} people have rated calls (${summary.people} so far).`,
    };
  }
  return { kind: 'shown', count, average, distribution };
}

/** The average rating in words ("4.5 out of 5"), or a dash without check-ins. */
export function averageLabel(average: number | null): string {
  if (average === null) return '—';
  return `${average.toLocaleString(undefined, { maximumFractionDigits: 2 })} out of 5`;
}

/** Each rating's share of all check-ins, as a whole percentage. */
export function distributionRows(distribution: readonly number[]): { rating: number; count: number; percent: number }[] {
  const total = distribution.reduce((a, b) => a + b, 0);
  return [1, 2, 3, 4, 5].map((rating) => {
    const count = distribution[rating - 1] ?? 0;
    return { rating, count, percent: total > 0 ? Math.round((count / total) * 100) : 0 };
  });
}

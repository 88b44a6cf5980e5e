// Pure helpers of the group event pages: when an event is and how many places are left, what my
// answer is, the checks of the coordinator's form, the member picker's filter, the messages of a
// refused RSVP, and the notices that live `group_event` frames raise.
import { ApiError, errorMessage, type FieldErrors } from '../api/client';
import type { GroupEvent, EventAudience } from '../api/events';
import type { MatchPerson } from '../api/types';
import type { MeetingNotice } from './meetings';
import { durationLabel, validateTime } from './meetings';
import { formatInZone, formatTimeInZone, sameDayInZone } from './zoned';

export const MAX_EVENT_TITLE = 200;
export const MAX_EVENT_DESCRIPTION = 4000;
export const MIN_EVENT_DURATION = 15;
export const MAX_EVENT_DURATION = 480;
/** The lengths offered, in minutes (the API takes 15 to 480). */
export const EVENT_DURATIONS: readonly number[] = [15, 30, 45, 60, 90, 120, 180, 240, 360, 480];
export const MIN_CAPACITY = 2;
export const MAX_CAPACITY = 1000;
export const MAX_SPEAKERS = 20;
export const MAX_INVITEES = 1000;

export function eventStartMs(e: Pick<GroupEvent, 'starts_at'>): number {
  return Date.parse(e.starts_at);
}

export function eventEndMs(e: Pick<GroupEvent, 'starts_at' | 'duration_min'>): number {
  return eventStartMs(e) + e.duration_min * 60_000;
}

/** "Tuesday, January 15, 2030 at 9:00 AM – 10:30 AM" in `zone`. */
export function eventWhen(e: Pick<GroupEvent, 'starts_at' | 'duration_min'>, zone: string): string {
  const start = eventStartMs(e);
  const end = eventEndMs(e);
  const endText = sameDayInZone(start, end, zone) ? formatTimeInZone(end, zone) : formatInZone(end, zone);
  return `${formatInZone(start, zone)} – ${endText}`;
}

export { durationLabel };

export function isCancelled(e: Pick<GroupEvent, 'status'>): boolean {
  return e.status === 'cancelled';
}

export function placesLeft(e: Pick<GroupEvent, 'capacity' | 'going'>): number {
  return Math.max(0, e.capacity - e.going);
}

/** "12 places left of 50", "1 place left of 2", "Full: all 50 places are taken". */
export function placesText(e: Pick<GroupEvent, 'capacity' | 'going'>): string {
  const left = placesLeft(e);
  if (left === 0) return `Full: all ${e.capacity} places are taken`;
  return `${left} ${left === 1 ? 'place' : 'places'} left of ${e.capacity}`;
}

/** My answer in words. */
export function rsvpText(e: Pick<GroupEvent, 'my_rsvp'>): string {
  if (e.my_rsvp === true) return 'You are going.';
  if (e.my_rsvp === false) return 'You said you are not going.';
  return 'You have not answered yet.';
}

/** Whether the event is over: its time has passed, or the host ended its live room. */
export function isOver(e: GroupEvent, nowMs: number): boolean {
  return Boolean(e.ended_at) || eventEndMs(e) <= nowMs;
}

/** Whether I may say I am going now: not cancelled, not over, and a place left (or mine already). */
export function canGo(e: GroupEvent, nowMs: number): boolean {
  return !isCancelled(e) && !isOver(e, nowMs) && e.my_rsvp !== true;
}

/** Whether I may say I am not going now. */
export function canDecline(e: GroupEvent, nowMs: number): boolean {
  return !isCancelled(e) && !isOver(e, nowMs) && e.my_rsvp !== false;
}

/** Who is invited, in words. */
export function audienceText(e: Pick<GroupEvent, 'audience' | 'cohort'>): string {
  switch (e.audience) {
    case 'program':
      return 'Everyone in the program';
    case 'cohort':
      return `The ${e.cohort} cohort`;
    case 'people':
      return 'Invited people';
  }
  return 'Invited people';
}

/** The speakers in words ("Ada Lovelace and Grace Hopper"), or null without any. */
export function speakersText(speakers: readonly MatchPerson[]): string | null {
  const names = speakers.map((s) => s.name);
  if (names.length === 0) return null;
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

/** What to tell the person when an RSVP is refused: the API's 409s in plain words. */
export function rsvpErrorMessage(error: unknown, e: Pick<GroupEvent, 'title' | 'capacity'>): string {
  if (error instanceof ApiError && error.status === 409) {
    const m = error.message.toLowerCase();
    if (m.includes('full')) {
      return `Sorry, “${e.title}” is full: all ${e.capacity} places are taken. If someone says they are not going, a place opens.`;
    }
    if (m.includes('cancel')) return `“${e.title}” was cancelled, so it takes no more answers.`;
  }
  return errorMessage(error);
}

/** The list with `event` in place of its older version (or added), soonest first. */
export function upsertEvent(list: readonly GroupEvent[], event: GroupEvent): GroupEvent[] {
  const found = list.some((e) => e.id === event.id);
  const next = found ? list.map((e) => (e.id === event.id ? event : e)) : [...list, event];
  return next.sort((a, b) => eventStartMs(a) - eventStartMs(b));
}

export interface EventFormInput {
  title: string;
  description: string;
  date: string;
  time: string;
  duration: string;
  capacity: string;
  audience: EventAudience;
  cohort: string;
  invitees: readonly string[];
  speakers: readonly string[];
}

/**
 * The coordinator's form checks, keyed like the API's fields (the start as `date` and `time`).
 * Returns the start as RFC 3339 when everything is right.
 */
export function validateEvent(
  input: EventFormInput,
  zone: string,
  nowMs: number,
): { errors: FieldErrors; startsAt: string | null; durationMin: number; capacity: number } {
  // The date and time as meetings read them; events have their own lengths, checked below.
  const time = validateTime({ date: input.date, time: input.time, duration: String(MIN_EVENT_DURATION) }, zone, nowMs);
  const errors: FieldErrors = { ...time.errors };
  const title = input.title.trim();
  if (title === '') errors.title = 'Enter a title, like “Panel: careers in research”.';
  else if (Array.from(title).length > MAX_EVENT_TITLE) errors.title = `Use at most ${MAX_EVENT_TITLE} characters.`;
  if (Array.from(input.description).length > MAX_EVENT_DESCRIPTION) {
    errors.description = `Use at most ${MAX_EVENT_DESCRIPTION} characters.`;
  }
  const durationMin = Number(input.duration);
  if (!Number.isInteger(durationMin) || durationMin < MIN_EVENT_DURATION || durationMin > MAX_EVENT_DURATION) {
    errors.duration_min = `Choose a length between ${MIN_EVENT_DURATION} and ${MAX_EVENT_DURATION} minutes.`;
  }
  const capacityText = input.capacity.trim();
  const capacity = Number(capacityText);
  if (capacityText === '' || !Number.isInteger(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
    errors.capacity = `Enter a whole number of places from ${MIN_CAPACITY} to ${MAX_CAPACITY}.`;
  }
  if (input.audience === 'cohort' && input.cohort.trim() === '') errors.cohort = 'Name the cohort invited.';
  if (input.audience === 'people') {
    if (input.invitees.length === 0) errors.invitees = 'Choose at least one person to invite.';
    else if (input.invitees.length > MAX_INVITEES) {
      errors.invitees = `Invite at most ${MAX_INVITEES} people; invite the program or a cohort instead.`;
    }
  }
  if (input.speakers.length > MAX_SPEAKERS) errors.speakers = `Choose at most ${MAX_SPEAKERS} speakers.`;
  const ok = Object.keys(errors).length === 0;
  return { errors, startsAt: ok ? time.startsAt : null, durationMin, capacity };
}

/** The API's field errors, under the form's fields (the start is typed as a date and a time). */
export function eventFieldErrors(fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(fields)) out[key === 'starts_at' ? 'time' : key] = value;
  return out;
}

/** The fields the form shows errors next to. */
export const EVENT_FORM_FIELDS: readonly string[] = [
  'title',
  'description',
  'starts_at',
  'duration_min',
  'capacity',
  'cohort',
  'invitees',
  'speakers',
];

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/**
 * The members a picker shows for a search: those whose name or email contains every word typed
 * (ignoring case and accents), and always the ones already chosen, so nobody chosen is hidden.
 */
export function filterMembers<M extends { user_id: string; name: string; email?: string }>(
  members: readonly M[],
  search: string,
  chosen: readonly string[],
): M[] {
  const words = fold(search).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...members];
  return members.filter((m) => {
    if (chosen.includes(m.user_id)) return true;
    const text = fold(`${m.name} ${m.email ?? ''}`);
    return words.every((w) => text.includes(w));
  });
}

/**
 * What to tell the person about a `group_event` frame, or null: a reminder 15 minutes before;
 * a cancellation, unless I host the event (it was cancelled by me or a fellow coordinator, and
 * the program page shows it).
 */
export function eventNotice(event: GroupEvent, reminder: boolean, me: string | null, zone: string): MeetingNotice | null {
  const base = { meetingId: `event:${event.id}`, link: { to: `/events/${event.id}`, label: 'Open the event' } };
  if (reminder && !isCancelled(event)) {
    return {
      ...base,
      key: `event-reminder:${event.id}:${event.starts_at}`,
      kind: 'reminder',
      text: `Reminder: the event “${event.title}” starts in 15 minutes (${formatTimeInZone(eventStartMs(event), zone)}).`,
    };
  }
  if (isCancelled(event) && event.host.user_id !== me) {
    return {
      ...base,
      key: `event-cancelled:${event.id}`,
      kind: 'cancelled',
      text: `The event “${event.title}”, ${formatInZone(eventStartMs(event), zone)}, was cancelled.`,
    };
  }
  return null;
}

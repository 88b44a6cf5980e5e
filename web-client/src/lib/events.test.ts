import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { groupEvent } from '../chat/testing';
import {
  audienceText,
  canDecline,
  canGo,
  isOver,
  eventFieldErrors,
  eventNotice,
  eventWhen,
  filterMembers,
  placesText,
  rsvpErrorMessage,
  rsvpText,
  speakersText,
  upsertEvent,
  validateEvent,
  type EventFormInput,
} from './events';

const event = groupEvent;

const BEFORE = Date.parse('2030-01-10T12:00:00Z');
const AFTER = Date.parse('2030-01-15T17:00:00Z');

describe('places and answers', () => {
  it('counts the places left, and says when it is full', () => {
    expect(placesText(event())).toBe('38 places left of 50');
    expect(placesText(event({ capacity: 2, going: 1 }))).toBe('1 place left of 2');
    expect(placesText(event({ capacity: 2, going: 2 }))).toBe('Full: all 2 places are taken');
    expect(placesText(event({ capacity: 2, going: 3 }))).toBe('Full: all 2 places are taken');
  });

  it('says my answer', () => {
    expect(rsvpText(event())).toBe('You have not answered yet.');
    expect(rsvpText(event({ my_rsvp: true }))).toBe('You are going.');
    expect(rsvpText(event({ my_rsvp: false }))).toBe('You said you are not going.');
  });

  it('offers the answer I have not given, while the event is on and not over', () => {
    expect([canGo(event(), BEFORE), canDecline(event(), BEFORE)]).toEqual([true, true]);
    expect([canGo(event({ my_rsvp: true }), BEFORE), canDecline(event({ my_rsvp: true }), BEFORE)]).toEqual([false, true]);
    expect([canGo(event({ my_rsvp: false }), BEFORE), canDecline(event({ my_rsvp: false }), BEFORE)]).toEqual([true, false]);
    expect([canGo(event({ status: 'cancelled' }), BEFORE), canDecline(event({ status: 'cancelled' }), BEFORE)]).toEqual([false, false]);
    expect([canGo(event(), AFTER), canDecline(event(), AFTER)]).toEqual([false, false]);
    // The host ended the live room early: over, whatever the clock says.
    const ended = event({ ended_at: '2030-01-01T00:00:00Z' });
    expect([canGo(ended, BEFORE), canDecline(ended, BEFORE), isOver(ended, BEFORE), isOver(event(), BEFORE)]).toEqual([
      false,
      false,
      true,
      false,
    ]);
  });

  it('names the audience and the speakers', () => {
    expect(audienceText(event())).toBe('Everyone in the program');
    expect(audienceText(event({ audience: 'cohort', cohort: '2030' }))).toBe('The 2030 cohort');
    expect(audienceText(event({ audience: 'people' }))).toBe('Invited people');
    expect(speakersText([])).toBeNull();
    expect(speakersText([{ user_id: 'a', name: 'Ada' }])).toBe('Ada');
    expect(speakersText(['Ada', 'Grace', 'Kwame'].map((name) => ({ user_id: name, name })))).toBe('Ada, Grace and Kwame');
  });

  it('shows the time in the zone given, the end on the same day as a time only', () => {
    const text = eventWhen(event(), 'America/Chicago');
    expect(text).toMatch(/January 15, 2030/);
    expect(text).toMatch(/9:00/);
    expect(text).toMatch(/– 10:30/);
  });
});

describe('rsvpErrorMessage', () => {
  it('turns the API’s 409s into plain words', () => {
    const full = new ApiError(409, 'conflict', 'the event is full');
    expect(rsvpErrorMessage(full, event())).toBe(
      'Sorry, “Careers panel” is full: all 50 places are taken. If someone says they are not going, a place opens.',
    );
    const cancelled = new ApiError(409, 'conflict', 'the event was cancelled');
    expect(rsvpErrorMessage(cancelled, event())).toBe('“Careers panel” was cancelled, so it takes no more answers.');
    expect(rsvpErrorMessage(new ApiError(404, 'not_found', 'not found'), event())).toBe('Not found');
  });
});

describe('upsertEvent', () => {
  it('replaces an event or adds it, soonest first', () => {
    const later = event({ id: 'event-2', starts_at: '2030-02-01T10:00:00Z' });
    const moved = event({ going: 13 });
    expect(upsertEvent([event(), later], moved)).toEqual([moved, later]);
    const sooner = event({ id: 'event-0', starts_at: '2030-01-01T10:00:00Z' });
    expect(upsertEvent([event(), later], sooner).map((e) => e.id)).toEqual(['event-0', 'event-1', 'event-2']);
  });
});

describe('validateEvent', () => {
  const NOW = Date.parse('2030-01-10T12:00:00Z');
  const good: EventFormInput = {
    title: ' Careers panel ',
    description: '',
    date: '2030-01-15',
    time: '09:00',
    duration: '90',
    capacity: '50',
    audience: 'program',
    cohort: '',
    invitees: [],
    speakers: ['a'],
  };

  it('turns the time typed in the zone into an instant', () => {
    const checked = validateEvent(good, 'America/Chicago', NOW);
    expect(checked.errors).toEqual({});
    expect(checked.startsAt).toBe('2030-01-15T15:00:00Z');
    expect(checked.durationMin).toBe(90);
    expect(checked.capacity).toBe(50);
  });

  it('allows events up to eight hours long', () => {
    expect(validateEvent({ ...good, duration: '480' }, 'UTC', NOW).errors).toEqual({});
    expect(validateEvent({ ...good, duration: '600' }, 'UTC', NOW).errors.duration_min).toMatch(/between 15 and 480/);
  });

  it('names every problem by field', () => {
    const checked = validateEvent(
      { ...good, title: '  ', time: '', capacity: '1', audience: 'cohort', speakers: Array.from({ length: 21 }, (_, i) => `s${i}`) },
      'UTC',
      NOW,
    );
    expect(Object.keys(checked.errors).sort()).toEqual(['capacity', 'cohort', 'speakers', 'time', 'title']);
    expect(checked.startsAt).toBeNull();
    expect(validateEvent({ ...good, capacity: '12.5' }, 'UTC', NOW).errors.capacity).toMatch(/whole number/);
    expect(validateEvent({ ...good, capacity: '1001' }, 'UTC', NOW).errors.capacity).toMatch(/2 to 1000/);
    expect(validateEvent({ ...good, audience: 'people' }, 'UTC', NOW).errors.invitees).toMatch(/at least one/);
    expect(validateEvent({ ...good, audience: 'people', invitees: ['x'] }, 'UTC', NOW).errors).toEqual({});
  });

  it('refuses a start in the past', () => {
    expect(validateEvent({ ...good, date: '2030-01-09' }, 'UTC', NOW).errors.time).toBe('Choose a time in the future.');
  });

  it('puts the API’s start error under the time', () => {
    expect(eventFieldErrors({ starts_at: 'must be in the future', capacity: 'x' })).toEqual({
      time: 'must be in the future',
      capacity: 'x',
    });
  });
});

describe('filterMembers', () => {
  const members = [
    { user_id: 'a', name: 'Zoë Ndiaye', email: 'zoe@example.org' },
    { user_id: 'b', name: 'Kwame Mensah', email: 'kwame@example.org' },
    { user_id: 'c', name: 'Ada Lovelace', email: 'ada@math.example' },
  ];

  it('matches every word typed in the name or email, ignoring case and accents', () => {
    expect(filterMembers(members, '', []).map((m) => m.user_id)).toEqual(['a', 'b', 'c']);
    expect(filterMembers(members, 'zoe', []).map((m) => m.user_id)).toEqual(['a']);
    expect(filterMembers(members, 'MATH ada', []).map((m) => m.user_id)).toEqual(['c']);
    expect(filterMembers(members, 'nobody', []).map((m) => m.user_id)).toEqual([]);
  });

  it('keeps the people already chosen', () => {
    expect(filterMembers(members, 'zoe', ['b']).map((m) => m.user_id)).toEqual(['a', 'b']);
  });
});

describe('eventNotice', () => {
  it('reminds everyone of an event about to start, with a link to it', () => {
    const n = eventNotice(event(), true, 'me', 'UTC');
    expect(n?.kind).toBe('reminder');
    expect(n?.text).toMatch(/^Reminder: the event “Careers panel” starts in 15 minutes \(3:00/);
    expect(n?.link).toEqual({ to: '/events/event-1', label: 'Open the event' });
    expect(n?.key).toBe('event-reminder:event-1:2030-01-15T15:00:00Z');
  });

  it('tells the people going of a cancellation, not its host', () => {
    const cancelled = event({ status: 'cancelled' });
    expect(eventNotice(cancelled, false, 'me', 'UTC')?.text).toMatch(/^The event “Careers panel”, .* was cancelled\.$/);
    expect(eventNotice(cancelled, false, 'host', 'UTC')).toBeNull();
    expect(eventNotice(cancelled, true, 'me', 'UTC')?.kind).toBe('cancelled');
    expect(eventNotice(event(), false, 'me', 'UTC')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { match, ME, meeting, THEM } from '../chat/testing';
import {
  averageLabel,
  checkinTotals,
  distributionRows,
  durationLabel,
  icsFileName,
  meetingFieldErrors,
  meetingNotice,
  meetingView,
  pairChoices,
  splitMeetings,
  upsertMeeting,
  validateSchedule,
  validateTime,
} from './meetings';

const NOW = Date.parse('2030-01-10T12:00:00Z');
const ZONE = 'America/Chicago';

describe('meetingView', () => {
  it('lets the other person accept a proposal, or decline it', () => {
    const v = meetingView(meeting({ proposed_by: THEM }), ME, NOW);
    expect(v.other.name).toBe('Nia');
    expect(v.canAccept).toBe(true);
    expect(v.canPropose).toBe(true);
    expect(v.cancel).toBe('decline');
    expect(v.badge).toBe('Needs your answer');
    expect(v.statusText).toContain('Nia proposed this time');
  });

  it('lets the proposer wait, move or cancel, not accept', () => {
    const v = meetingView(meeting(), ME, NOW);
    expect(v.canAccept).toBe(false);
    expect(v.canPropose).toBe(true);
    expect(v.cancel).toBe('cancel');
    expect(v.statusText).toContain('Waiting for Nia');
  });

  it('sees the other person of the pair from either side', () => {
    expect(meetingView(meeting(), THEM, NOW).other.name).toBe('Kwame');
    expect(meetingView(meeting(), THEM, NOW).canAccept).toBe(true);
  });

  it('keeps an accepted meeting movable and cancellable until it ends', () => {
    const accepted = meeting({ status: 'accepted' });
    const v = meetingView(accepted, THEM, NOW);
    expect(v.canAccept).toBe(false);
    expect(v.cancel).toBe('cancel');
    expect(v.badge).toBe('Confirmed');
    const during = Date.parse('2030-01-15T15:10:00Z');
    expect(meetingView(accepted, THEM, during).upcoming).toBe(true);
    const after = Date.parse('2030-01-15T15:30:00Z');
    const over = meetingView(accepted, THEM, after);
    expect(over.upcoming).toBe(false);
    expect(over.canPropose).toBe(false);
    expect(over.cancel).toBeNull();
  });

  it('cannot accept a proposed time that has passed', () => {
    const v = meetingView(meeting({ proposed_by: THEM }), ME, Date.parse('2030-01-15T15:05:00Z'));
    expect(v.canAccept).toBe(false);
    expect(v.statusText).toContain('has passed');
  });

  it('offers nothing on declined and cancelled meetings', () => {
    for (const status of ['declined', 'cancelled'] as const) {
      const v = meetingView(meeting({ status }), ME, NOW);
      expect(v.upcoming || v.canAccept || v.canPropose || v.cancel !== null).toBe(false);
    }
    expect(meetingView(meeting({ status: 'declined' }), ME, NOW).statusText).toBe('Nia declined.');
    expect(meetingView(meeting({ status: 'declined' }), THEM, NOW).statusText).toBe('You declined.');
  });
});

describe('lists', () => {
  it('splits upcoming (soonest first) from past (latest first)', () => {
    const soon = meeting({ id: 'soon', starts_at: '2030-01-11T10:00:00Z' });
    const later = meeting({ id: 'later', starts_at: '2030-02-01T10:00:00Z', status: 'accepted' });
    const done = meeting({ id: 'done', starts_at: '2030-01-09T10:00:00Z', status: 'accepted' });
    const older = meeting({ id: 'older', starts_at: '2030-01-01T10:00:00Z' });
    const cancelled = meeting({ id: 'cancelled', starts_at: '2030-03-01T10:00:00Z', status: 'cancelled' });
    const { upcoming, past } = splitMeetings([later, done, cancelled, soon, older], NOW);
    expect(upcoming.map((m) => m.id)).toEqual(['soon', 'later']);
    expect(past.map((m) => m.id)).toEqual(['cancelled', 'done', 'older']);
  });

  it('upserts by id, keeps the newer version and the order', () => {
    const a = meeting({ id: 'a', starts_at: '2030-01-11T10:00:00Z' });
    const b = meeting({ id: 'b', starts_at: '2030-01-12T10:00:00Z' });
    const moved = { ...a, starts_at: '2030-01-13T10:00:00Z', updated_at: '2030-01-10T13:00:00Z' };
    expect(upsertMeeting([a, b], moved).map((m) => [m.id, m.starts_at])).toEqual([
      ['b', '2030-01-12T10:00:00Z'],
      ['a', '2030-01-13T10:00:00Z'],
    ]);
    const stale = { ...a, title: 'stale', updated_at: '2030-01-01T00:00:00Z' };
    expect(upsertMeeting([moved, b], stale).find((m) => m.id === 'a')?.title).toBe('Career plans');
    expect(upsertMeeting([a], b).map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('offers the active matches as pairs, named by the other person', () => {
    const choices = pairChoices(
      [
        match({ id: 'm1', status: 'active', channel_id: 'ch1' }),
        match({ id: 'm2', status: 'proposed' }),
        match({ id: 'm3', status: 'active', mentee: { user_id: 'x', name: 'Ama' }, mentor: { user_id: ME, name: 'Kwame' } }),
      ],
      ME,
    );
    expect(choices).toEqual([
      { value: 'm1', label: 'Nia (Pathways)', channelId: 'ch1' },
      { value: 'm3', label: 'Ama (Pathways)', channelId: null },
    ]);
  });
});

describe('form checks', () => {
  const good = { matchId: 'm1', title: 'Career plans', agenda: '', date: '2030-01-15', time: '09:00', duration: '30' };

  it('turns a wall time in the person’s zone into the instant', () => {
    const r = validateSchedule(good, ZONE, NOW);
    expect(r.errors).toEqual({});
    expect(r.startsAt).toBe('2030-01-15T15:00:00Z');
    expect(r.durationMin).toBe(30);
    expect(validateSchedule(good, 'Europe/Paris', NOW).startsAt).toBe('2030-01-15T08:00:00Z');
  });

  it('says what is missing or wrong', () => {
    const r = validateSchedule({ ...good, matchId: '', title: '  ', date: '', time: '', duration: '5' }, ZONE, NOW);
    expect(Object.keys(r.errors).sort()).toEqual(['date', 'duration_min', 'match_id', 'time', 'title']);
    expect(r.startsAt).toBeNull();
    expect(validateSchedule({ ...good, title: 'x'.repeat(201) }, ZONE, NOW).errors.title).toMatch(/200/);
    expect(validateSchedule({ ...good, agenda: 'x'.repeat(4001) }, ZONE, NOW).errors.agenda).toMatch(/4000/);
  });

  it('refuses the past, more than a year ahead, impossible dates and skipped times', () => {
    expect(validateTime({ date: '2030-01-10', time: '05:59', duration: '30' }, ZONE, NOW).errors.time).toMatch(/future/);
    expect(validateTime({ date: '2031-02-01', time: '09:00', duration: '30' }, ZONE, NOW).errors.date).toMatch(/year/);
    expect(validateTime({ date: '2030-02-30', time: '09:00', duration: '30' }, ZONE, NOW).errors.date).toMatch(/real date/);
    const skipped = validateTime({ date: '2030-03-10', time: '02:30', duration: '30' }, ZONE, NOW);
    expect(skipped.errors.time).toMatch(/does not exist in America\/Chicago/);
    expect(skipped.startsAt).toBeNull();
  });

  it('puts the API’s starts_at error under the time field', () => {
    expect(meetingFieldErrors({ starts_at: 'must be in the future', title: 'too long' })).toEqual({
      time: 'must be in the future',
      title: 'too long',
    });
  });
});

describe('notices', () => {
  it('reminds, with the local time', () => {
    const n = meetingNotice(meeting({ status: 'accepted' }), true, ME, ZONE);
    expect(n?.kind).toBe('reminder');
    expect(n?.text).toMatch(/^Reminder: “Career plans” with Nia starts in 15 minutes \(9:00\s?AM\)\.$/);
  });

  it('tells about the other person’s proposal and acceptance, not my own actions', () => {
    expect(meetingNotice(meeting({ proposed_by: THEM }), false, ME, ZONE)?.kind).toBe('proposed');
    expect(meetingNotice(meeting({ proposed_by: ME }), false, ME, ZONE)).toBeNull();
    expect(meetingNotice(meeting({ status: 'accepted', proposed_by: ME }), false, ME, ZONE)?.text).toMatch(/^Nia accepted “Career plans”/);
    expect(meetingNotice(meeting({ status: 'accepted', proposed_by: THEM }), false, ME, ZONE)).toBeNull();
    expect(meetingNotice(meeting({ status: 'cancelled' }), false, ME, ZONE)).toBeNull();
  });

  it('keys each event once', () => {
    const a = meetingNotice(meeting({ proposed_by: THEM }), false, ME, ZONE);
    const b = meetingNotice(meeting({ proposed_by: THEM, updated_at: '2030-01-10T13:00:00Z' }), false, ME, ZONE);
    expect(a?.key).not.toBe(b?.key);
    expect(a?.key).toBe(meetingNotice(meeting({ proposed_by: THEM }), false, ME, ZONE)?.key);
  });
});

describe('labels', () => {
  it('names durations, files and averages', () => {
    expect(durationLabel(30)).toBe('30 minutes');
    expect(durationLabel(60)).toBe('1 hour');
    expect(durationLabel(90)).toBe('1 hour 30 minutes');
    expect(durationLabel(120)).toBe('2 hours');
    expect(icsFileName('Career plans: résumé & next steps!')).toBe('career-plans-resume-next-steps.ics');
    expect(icsFileName('¿¿??')).toBe('meeting.ics');
    expect(averageLabel(null)).toBe('—');
    expect(averageLabel(4.5)).toMatch(/^4[.,]5 out of 5$/);
  });

  it('holds the ratings back until enough people have rated calls', () => {
    expect(checkinTotals({ count: 0, people: 0, minimum_people: 5, average: null, distribution: null })).toEqual({ kind: 'none' });
    expect(checkinTotals({ count: 3, people: 2, minimum_people: 5, average: null, distribution: null })).toEqual({
      kind: 'withheld',
      count: 3,
      text: 'Ratings are shown once at least 5 people have rated calls (2 so far).',
    });
    expect(checkinTotals({ count: 6, people: 5, minimum_people: 5, average: 4, distribution: [0, 1, 1, 1, 3] })).toEqual({
      kind: 'shown',
      count: 6,
      average: 4,
      distribution: [0, 1, 1, 1, 3],
    });
  });

  it('shares each rating of the check-ins', () => {
    expect(distributionRows([0, 0, 1, 1, 2])).toEqual([
      { rating: 1, count: 0, percent: 0 },
      { rating: 2, count: 0, percent: 0 },
      { rating: 3, count: 1, percent: 25 },
      { rating: 4, count: 1, percent: 25 },
      { rating: 5, count: 2, percent: 50 },
    ]);
    expect(distributionRows([0, 0, 0, 0, 0]).every((r) => r.percent === 0)).toBe(true);
  });
});

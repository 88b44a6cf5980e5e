import { describe, expect, it } from 'vitest';
import {
  actionConsequences,
  actionSubmit,
  channelIsModerated,
  chosenMinutes,
  durationLabel,
  isMuted,
  mayActOn,
  mayLock,
  mayModerate,
  minutesProblem,
  reasonProblem,
  roleIn,
  tombstoneText,
} from './moderation';

describe('moderation', () => {
  it('says who removed a message', () => {
    expect(tombstoneText(true)).toBe('Removed by a coordinator');
    expect(tombstoneText(false)).toBe('Message deleted');
    expect(tombstoneText(undefined)).toBe('Message deleted');
  });

  it('finds my role in a program', () => {
    const memberships = [{ program_id: 'p', role: 'coordinator' as const }];
    expect(roleIn(memberships, 'p')).toBe('coordinator');
    expect(roleIn(memberships, 'q')).toBeNull();
    expect(roleIn(undefined, 'p')).toBeNull();
  });

  it('moderates group and announcement channels of more than two people, by coordinators', () => {
    expect(channelIsModerated({ kind: 'group', memberCount: 3 })).toBe(true);
    expect(channelIsModerated({ kind: 'announcement', memberCount: 40 })).toBe(true);
    expect(channelIsModerated({ kind: 'group', memberCount: 2 })).toBe(false);
    expect(channelIsModerated({ kind: 'pair', memberCount: 2 })).toBe(false);
    expect(mayModerate({ kind: 'group', memberCount: 3 }, 'coordinator')).toBe(true);
    expect(mayModerate({ kind: 'group', memberCount: 3 }, 'mentor')).toBe(false);
    expect(mayModerate({ kind: 'group', memberCount: 3 }, null)).toBe(false);
    expect(mayLock({ kind: 'group', memberCount: 3 }, 'coordinator')).toBe(true);
    expect(mayLock({ kind: 'announcement', memberCount: 3 }, 'coordinator')).toBe(false);
  });

  it('never acts on myself, a coordinator or someone whose role is unknown', () => {
    expect(mayActOn('me', 'kwame', 'mentor')).toBe(true);
    expect(mayActOn('me', 'me', 'mentor')).toBe(false);
    expect(mayActOn('me', 'cora', 'coordinator')).toBe(false);
    expect(mayActOn('me', 'kwame', undefined)).toBe(false);
    expect(mayActOn(null, 'kwame', 'mentee')).toBe(false);
  });

  it('turns a duration choice into minutes', () => {
    expect(chosenMinutes('60', '')).toBe(60);
    expect(chosenMinutes('10080', '')).toBe(10080);
    expect(chosenMinutes('custom', ' 45 ')).toBe(45);
    expect(chosenMinutes('custom', '4.5')).toBeNull();
    expect(chosenMinutes('', '')).toBeNull();
    expect(minutesProblem('', '')).toBe('Choose for how long.');
    expect(minutesProblem('custom', 'soon')).toBe('Give a whole number of minutes.');
    expect(minutesProblem('custom', '0')).toMatch(/^Give between 1 and 43,200 minutes/);
    expect(minutesProblem('custom', '43201')).toMatch(/^Give between/);
    expect(minutesProblem('custom', '43200')).toBeNull();
    expect(minutesProblem('1440', '')).toBeNull();
  });

  it('says durations in words', () => {
    expect(durationLabel(1)).toBe('1 minute');
    expect(durationLabel(45)).toBe('45 minutes');
    expect(durationLabel(60)).toBe('1 hour');
    expect(durationLabel(120)).toBe('2 hours');
    expect(durationLabel(1440)).toBe('1 day');
    expect(durationLabel(10080)).toBe('1 week');
    expect(durationLabel(43200)).toBe('30 days');
    expect(durationLabel(1620)).toBe('1 day and 3 hours');
    expect(durationLabel(90)).toBe('1 hour and 30 minutes');
    expect(actionSubmit('mute', 'Kwame', 60)).toBe('Mute Kwame for 1 hour');
  });

  it('requires a reason of at most 1000 characters', () => {
    expect(reasonProblem('  ')).toMatch(/^Say why/);
    expect(reasonProblem('x'.repeat(1001))).toBe('Keep it to 1000 characters; this has 1001.');
    expect(reasonProblem('Rude in the group')).toBeNull();
  });

  it('says what each action does', () => {
    expect(actionConsequences('suspend', 'Kwame', 'Kind Mentoring').join(' ')).toMatch(/reinstating restores everything/);
    expect(actionConsequences('remove', 'Kwame', 'Kind Mentoring', 'Cardiology circle')[0]).toBe(
      'Cardiology circle disappears from Kwame’s screens at once, and they no longer read it.',
    );
    expect(actionConsequences('mute', 'Kwame', 'Kind Mentoring').join(' ')).toMatch(/conversations of two people are not affected/);
  });

  it('knows whether a mute still runs', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(isMuted('2026-01-01T13:00:00Z', now)).toBe(true);
    expect(isMuted('2026-01-01T11:00:00Z', now)).toBe(false);
    expect(isMuted(null, now)).toBe(false);
  });
});

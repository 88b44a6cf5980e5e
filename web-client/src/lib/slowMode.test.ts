import { describe, expect, it } from 'vitest';
import {
  actionConsequences,
  actionDone,
  actionSubmit,
  actionTitle,
  mayTakeOutOfEvent,
  SLOW_MODE_CHOICES,
  slowModeDone,
  slowModeLabel,
  slowModeLine,
} from './moderation';

describe('slow mode', () => {
  it('offers Off to one hour', () => {
    expect(SLOW_MODE_CHOICES.map((c) => c.value)).toEqual([0, 10, 30, 60, 300, 3600]);
    expect(SLOW_MODE_CHOICES.map((c) => c.label)).toEqual(['Off', '10 s', '30 s', '1 min', '5 min', '1 hour']);
  });

  it('says the time in short words', () => {
    expect(slowModeLabel(10)).toBe('10 s');
    expect(slowModeLabel(90)).toBe('90 s');
    expect(slowModeLabel(60)).toBe('1 min');
    expect(slowModeLabel(300)).toBe('5 min');
    expect(slowModeLabel(3600)).toBe('1 hour');
  });

  it('shows a line above the composer only while on', () => {
    expect(slowModeLine(0)).toBeNull();
    expect(slowModeLine(30)).toBe('Slow mode: one message every 30 s');
    expect(slowModeLine(60)).toBe('Slow mode: one message every 1 min');
  });

  it('announces the result', () => {
    expect(slowModeDone(0)).toMatch(/off/);
    expect(slowModeDone(60)).toContain('one message every 1 min');
  });
});

describe('taking someone out of an event', () => {
  const host = 'host';
  it('never offers myself, the host, a coordinator or an unknown role', () => {
    expect(mayTakeOutOfEvent('me', { id: 'a', role: 'mentee' }, host)).toBe(true);
    expect(mayTakeOutOfEvent('me', { id: 'a', role: 'mentor' }, host)).toBe(true);
    expect(mayTakeOutOfEvent('me', { id: 'me', role: 'mentee' }, host)).toBe(false);
    expect(mayTakeOutOfEvent('me', { id: host, role: 'mentor' }, host)).toBe(false);
    expect(mayTakeOutOfEvent('me', { id: 'a', role: 'coordinator' }, host)).toBe(false);
    expect(mayTakeOutOfEvent('me', { id: 'a', role: undefined }, host)).toBe(false);
    expect(mayTakeOutOfEvent(null, { id: 'a', role: 'mentee' }, host)).toBe(false);
  });

  it('says what it does in plain words', () => {
    const lines = actionConsequences('event-remove', 'Ana', 'Prog', '“Demo day”').join(' ');
    expect(lines).toContain('Ana is no longer invited to “Demo day”');
    expect(lines).toContain('audit log');
    expect(actionTitle('event-remove', 'Ana', '“Demo day”')).toBe('Take Ana out of “Demo day”');
    expect(actionSubmit('event-remove', 'Ana')).toBe('Take Ana out');
    expect(actionDone('event-remove', 'Ana')).toBe('Ana is no longer in this event.');
  });
});

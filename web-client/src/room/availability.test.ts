import { describe, expect, it } from 'vitest';
import { roomAvailability } from './availability';

const START = Date.parse('2030-01-15T15:00:00Z');
const event = { starts_at: '2030-01-15T15:00:00Z', duration_min: 60 };
const minutes = (n: number) => n * 60_000;

describe('roomAvailability', () => {
  it('opens 30 minutes before the start', () => {
    expect(roomAvailability(event, START - minutes(31))).toEqual({ kind: 'not_yet', opensAt: START - minutes(30) });
    expect(roomAvailability(event, START - minutes(30))).toEqual({ kind: 'open' });
    expect(roomAvailability(event, START + minutes(10))).toEqual({ kind: 'open' });
  });

  it('can be entered until two hours after the scheduled end', () => {
    expect(roomAvailability(event, START + minutes(60 + 120))).toEqual({ kind: 'open' });
    expect(roomAvailability(event, START + minutes(60 + 121))).toEqual({ kind: 'closed' });
  });

  it('is over once the host ended it, whenever that was', () => {
    expect(roomAvailability({ ...event, ended_at: '2030-01-15T14:50:00Z' }, START - minutes(5))).toEqual({ kind: 'ended' });
    expect(roomAvailability({ ...event, ended_at: null }, START)).toEqual({ kind: 'open' });
  });
});

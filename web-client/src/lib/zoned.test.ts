import { describe, expect, it } from 'vitest';
import {
  defaultStartInputs,
  instantInputs,
  isValidZone,
  parseWallTime,
  preferredZone,
  sameDayInZone,
  toRfc3339,
  wallTimeAt,
  zonedToInstant,
  zoneOffsetMs,
} from './zoned';

const wall = (year: number, month: number, day: number, hour: number, minute: number) => ({ year, month, day, hour, minute });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('zonedToInstant', () => {
  it('reads a wall time in a zone with and without daylight saving', () => {
    expect(iso(zonedToInstant(wall(2030, 1, 15, 9, 0), 'America/Chicago'))).toBe('2030-01-15T15:00:00.000Z');
    expect(iso(zonedToInstant(wall(2030, 7, 15, 9, 0), 'America/Chicago'))).toBe('2030-07-15T14:00:00.000Z');
    expect(iso(zonedToInstant(wall(2030, 7, 15, 9, 0), 'UTC'))).toBe('2030-07-15T09:00:00.000Z');
    expect(iso(zonedToInstant(wall(2030, 1, 15, 9, 0), 'Asia/Kolkata'))).toBe('2030-01-15T03:30:00.000Z');
    expect(iso(zonedToInstant(wall(2030, 1, 15, 9, 0), 'Asia/Kathmandu'))).toBe('2030-01-15T03:15:00.000Z');
  });

  it('crosses the date line', () => {
    expect(iso(zonedToInstant(wall(2030, 1, 1, 0, 30), 'Pacific/Auckland'))).toBe('2029-12-31T11:30:00.000Z');
    expect(iso(zonedToInstant(wall(2029, 12, 31, 23, 0), 'Pacific/Honolulu'))).toBe('2030-01-01T09:00:00.000Z');
  });

  it('finds no instant for a time skipped when the clocks go forward', () => {
    // 10 March 2030, 02:00 → 03:00 in Chicago.
    expect(zonedToInstant(wall(2030, 3, 10, 2, 30), 'America/Chicago')).toBeNull();
    expect(iso(zonedToInstant(wall(2030, 3, 10, 3, 0), 'America/Chicago'))).toBe('2030-03-10T08:00:00.000Z');
    expect(iso(zonedToInstant(wall(2030, 3, 10, 1, 59), 'America/Chicago'))).toBe('2030-03-10T07:59:00.000Z');
    // Europe: 31 March 2030, 02:00 → 03:00 in Paris.
    expect(zonedToInstant(wall(2030, 3, 31, 2, 15), 'Europe/Paris')).toBeNull();
  });

  it('takes the earlier of a time shown twice when the clocks go back', () => {
    // 3 November 2030, 02:00 CDT → 01:00 CST: 01:30 happens at 06:30Z and 07:30Z.
    expect(iso(zonedToInstant(wall(2030, 11, 3, 1, 30), 'America/Chicago'))).toBe('2030-11-03T06:30:00.000Z');
    expect(iso(zonedToInstant(wall(2030, 11, 3, 2, 30), 'America/Chicago'))).toBe('2030-11-03T08:30:00.000Z');
  });

  it('round-trips with wallTimeAt over a year of hours', () => {
    const start = Date.UTC(2030, 0, 1);
    for (const zone of ['America/New_York', 'Europe/London', 'Australia/Sydney']) {
      for (let ms = start; ms < start + 365 * 86_400_000; ms += 7 * 3_600_000) {
        const w = wallTimeAt(ms, zone);
        const back = zonedToInstant(w, zone);
        expect(back === ms || (back !== null && back < ms), `${zone} ${new Date(ms).toISOString()}`).toBe(true);
        // An earlier answer is only allowed for a time shown twice: it shows the same wall time.
        if (back !== null && back !== ms) expect(wallTimeAt(back, zone)).toEqual(w);
      }
    }
  });
});

describe('zone helpers', () => {
  it('measures offsets', () => {
    expect(zoneOffsetMs(Date.UTC(2030, 0, 15), 'America/Chicago')).toBe(-6 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(2030, 6, 15), 'America/Chicago')).toBe(-5 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(2030, 0, 15), 'UTC')).toBe(0);
  });

  it('knows valid zones and prefers the profile’s', () => {
    expect(isValidZone('Europe/Paris')).toBe(true);
    expect(isValidZone('Mars/Olympus')).toBe(false);
    expect(isValidZone(null)).toBe(false);
    expect(preferredZone('Europe/Paris', 'America/Chicago')).toBe('Europe/Paris');
    expect(preferredZone(null, 'America/Chicago')).toBe('America/Chicago');
    expect(preferredZone('Nowhere/Else', 'also bad')).toBe('UTC');
  });

  it('compares days in a zone', () => {
    const a = Date.UTC(2030, 0, 15, 23, 0);
    const b = Date.UTC(2030, 0, 16, 1, 0);
    expect(sameDayInZone(a, b, 'UTC')).toBe(false);
    expect(sameDayInZone(a, b, 'America/Chicago')).toBe(true);
  });
});

describe('form inputs', () => {
  it('parses date and time inputs, and refuses impossible ones', () => {
    expect(parseWallTime('2030-01-15', '09:30')).toEqual(wall(2030, 1, 15, 9, 30));
    expect(parseWallTime('2030-01-15', '09:30:00')).toEqual(wall(2030, 1, 15, 9, 30));
    expect(parseWallTime('2030-02-30', '09:30')).toBeNull();
    expect(parseWallTime('2030-04-31', '09:30')).toBeNull();
    expect(parseWallTime('2032-02-29', '09:30')).toEqual(wall(2032, 2, 29, 9, 30));
    expect(parseWallTime('2030-01-15', '24:00')).toBeNull();
    expect(parseWallTime('15/01/2030', '09:30')).toBeNull();
    expect(parseWallTime('', '')).toBeNull();
  });

  it('shows an instant as inputs in a zone', () => {
    expect(instantInputs(Date.UTC(2030, 0, 15, 15, 0), 'America/Chicago')).toEqual({ date: '2030-01-15', time: '09:00' });
    expect(instantInputs(Date.UTC(2030, 0, 15, 3, 0), 'America/Chicago')).toEqual({ date: '2030-01-14', time: '21:00' });
  });

  it('suggests the next half hour at least an hour away, in the zone', () => {
    // 10:10 in Chicago → 11:30; 10:00 → 11:00; 22:45 → next day 00:00.
    expect(defaultStartInputs(Date.UTC(2030, 0, 15, 16, 10), 'America/Chicago')).toEqual({ date: '2030-01-15', time: '11:30' });
    expect(defaultStartInputs(Date.UTC(2030, 0, 15, 16, 0), 'America/Chicago')).toEqual({ date: '2030-01-15', time: '11:00' });
    expect(defaultStartInputs(Date.UTC(2030, 0, 16, 4, 45), 'America/Chicago')).toEqual({ date: '2030-01-16', time: '00:00' });
    expect(defaultStartInputs(Date.UTC(2030, 0, 15, 16, 0, 1), 'America/Chicago')).toEqual({ date: '2030-01-15', time: '11:30' });
  });

  it('writes RFC 3339 without milliseconds', () => {
    expect(toRfc3339(Date.UTC(2030, 0, 15, 15, 0, 0, 123))).toBe('2030-01-15T15:00:00Z');
  });
});

// Wall-clock times in a named time zone (IANA, like "America/Chicago") and the instants they
// stand for. People pick a meeting's date and time as their clock shows it; the API wants an
// instant (RFC 3339). Intl knows every zone's offsets, so no time zone database is shipped here.

/** A date and time as a clock in some zone shows it. `month` is 1–12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether Intl knows the zone. */
export function isValidZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** What a clock in `zone` shows at the instant `ms` (to the second). */
export function wallTimeAt(ms: number, zone: string): WallTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    // Some engines write midnight as 24 even with h23.
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far `zone` is ahead of UTC at the instant `ms`, in milliseconds. */
export function zoneOffsetMs(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const w = wallTimeAt(whole, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

function sameWall(a: WallTime, b: WallTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

/**
 * The instant a clock in `zone` shows `wall`, or null when it never does (the hour skipped
 * when clocks go forward). When it shows it twice (clocks going back), the earlier one.
 */
export function zonedToInstant(wall: WallTime, zone: string): number | null {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // The offsets a day either side bracket any transition near this time (zones change their
  // offset at most once in two days), so one of the two is the offset in force.
  const day = 86_400_000;
  const candidates = [...new Set([asUtc - zoneOffsetMs(asUtc - day, zone), asUtc - zoneOffsetMs(asUtc + day, zone)])]
    .filter((ms) => sameWall(wallTimeAt(ms, zone), wall))
    .sort((a, b) => a - b);
  return candidates[0] ?? null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Parses an `<input type="date">` value (YYYY-MM-DD) and an `<input type="time">` value (HH:MM). */
export function parseWallTime(date: string, time: string): WallTime | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const t = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(time.trim());
  if (!d || !t) return null;
  const wall = { year: +d[1]!, month: +d[2]!, day: +d[3]!, hour: +t[1]!, minute: +t[2]! };
  if (wall.month < 1 || wall.month > 12 || wall.hour > 23 || wall.minute > 59) return null;
  // Rejects 31 April and 30 February.
  const check = new Date(Date.UTC(wall.year, wall.month - 1, wall.day));
  if (check.getUTCDate() !== wall.day || check.getUTCMonth() !== wall.month - 1) return null;
  return wall;
}

/** The values of a date input and a time input for a wall time. */
export function wallTimeInputs(wall: WallTime): { date: string; time: string } {
  return {
    date: `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`,
    time: `${pad(wall.hour)}:${pad(wall.minute)}`,
  };
}

/** The date and time inputs showing the instant `ms` in `zone`. */
export function instantInputs(ms: number, zone: string): { date: string; time: string } {
  return wallTimeInputs(wallTimeAt(ms, zone));
}

/**
 * A sensible first choice of start: on the half hour in `zone`, at least an hour from now
 * (10:10 → 11:30; 10:00 → 11:00).
 */
export function defaultStartInputs(nowMs: number, zone: string): { date: string; time: string } {
  const w = wallTimeAt(nowMs + 60 * 60_000, zone);
  const rounded = Math.ceil((w.hour * 60 + w.minute + (w.second > 0 ? 1 : 0)) / 30) * 30;
  // Date.UTC carries 24:00 over into the next day.
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day, 0, rounded));
  return wallTimeInputs({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  });
}

/** An instant as RFC 3339 in UTC, without milliseconds ("2030-01-15T15:00:00Z"). */
export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "Tuesday, January 15, 2030 at 9:00 AM" in the reader's language, as the clock in `zone` shows it. */
export function formatInZone(ms: number, zone: string, options: Intl.DateTimeFormatOptions = {}): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short', ...options, timeZone: zone });
}

/** "9:00 AM" (the reader's language) in `zone`. */
export function formatTimeInZone(ms: number, zone: string): string {
  return new Date(ms).toLocaleTimeString(undefined, { timeStyle: 'short', timeZone: zone });
}

/** Whether two instants fall on the same day in `zone`. */
export function sameDayInZone(a: number, b: number, zone: string): boolean {
  const x = wallTimeAt(a, zone);
  const y = wallTimeAt(b, zone);
  return x.year === y.year && x.month === y.month && x.day === y.day;
}

/** The zone to show and read times in: the profile's when Intl knows it, else the browser's. */
export function preferredZone(profileZone: string | null | undefined, browserZone: string): string {
  if (isValidZone(profileZone)) return profileZone;
  return isValidZone(browserZone) ? browserZone : 'UTC';
}

// Display helpers for dates and enumerations.
import { CAREER_STAGES, type CareerStage, type Role } from '../api/types';

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Formats a "YYYY-MM-DD" calendar date without shifting it through a time zone. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
}

export function roleLabel(role: Role | null | undefined): string {
  switch (role) {
    case 'coordinator':
      return 'Coordinator';
    case 'mentor':
      return 'Mentor';
    case 'mentee':
      return 'Mentee';
    default:
      return '—';
  }
}

export function careerStageLabel(stage: CareerStage | null | undefined): string {
  return CAREER_STAGES.find((s) => s.value === stage)?.label ?? '—';
}

export function statusLabel(status: string): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}

/** The browser's IANA time zone names, with the given extra ones (e.g. a saved value) included. */
export function timeZones(...extra: (string | null | undefined)[]): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  const set = new Set(zones);
  set.add('UTC');
  for (const z of extra) if (z) set.add(z);
  return [...set].sort((a, b) => a.localeCompare(b));
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

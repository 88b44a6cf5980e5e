// Live meeting updates: the server sends `{type: "meeting", meeting, reminder}` whenever a
// scheduled meeting of the signed-in person is proposed, moved, accepted, declined or cancelled,
// and 15 minutes before it starts. The meeting replaces its old version in the cached
// `['meetings']` list at once and the list is refetched; what the person should hear about
// (a reminder, the other person's proposal or acceptance) becomes a notice (MeetingNotices).
import type { QueryClient } from '@tanstack/react-query';
import type { GroupEvent } from '../api/events';
import { meetingKeys } from '../api/queryKeys';
import type { Meeting, Page } from '../api/types';
import { eventNotice } from '../lib/events';
import { meetingNotice, upsertMeeting, type MeetingNotice } from '../lib/meetings';

/** The query key of my meetings (GET /api/me/meetings; api/queryKeys.ts). */
export const MEETINGS_KEY = meetingKeys.mine;

/** Enough of a meeting to file it. */
export function isMeeting(value: unknown): value is Meeting {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<Meeting>;
  return (
    typeof m.id === 'string' &&
    typeof m.status === 'string' &&
    typeof m.starts_at === 'string' &&
    typeof m.organizer === 'object' &&
    m.organizer !== null &&
    typeof m.invitee === 'object' &&
    m.invitee !== null
  );
}

/** Applies a meeting frame (or a mutation's answer) to the cache and refetches the list. */
export function applyMeetingUpdate(queryClient: QueryClient, meeting: unknown): void {
  if (!isMeeting(meeting)) return;
  queryClient.setQueryData<Page<Meeting>>(MEETINGS_KEY, (old) =>
    old ? { ...old, items: upsertMeeting(old.items, meeting) } : old,
  );
  void queryClient.invalidateQueries({ queryKey: MEETINGS_KEY });
}

/** How many notices are kept; older ones go first. */
const MAX_NOTICES = 5;

/**
 * The notices being shown: a small external store (subscribe / getSnapshot for
 * useSyncExternalStore), one per chat connection.
 */
export class MeetingNotices {
  private notices: readonly MeetingNotice[] = [];
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): readonly MeetingNotice[] => this.notices;

  /**
   * Adds the notice a frame raises, if any, unless the same event is already shown. A change
   * of a meeting makes its earlier proposal and acceptance notices stale, so they go.
   */
  onFrame(meeting: Meeting, reminder: boolean, me: string | null, zone: string): void {
    const notice = meetingNotice(meeting, reminder, me, zone);
    let next = reminder ? this.notices : withoutStale(this.notices, meeting.id, notice?.key ?? null);
    if (notice) next = addNotice(next, notice);
    this.set(next.length === this.notices.length && next.every((n, i) => n === this.notices[i]) ? this.notices : next);
  }

  /** Adds the notice a `group_event` frame raises (a reminder or a cancellation), if any. */
  onEventFrame(event: GroupEvent, reminder: boolean, me: string | null, zone: string): void {
    const notice = eventNotice(event, reminder, me, zone);
    if (notice) this.set(addNotice(this.notices, notice));
  }

  dismiss(key: string): void {
    this.set(this.notices.filter((n) => n.key !== key));
  }

  private set(next: readonly MeetingNotice[]): void {
    if (next === this.notices) return;
    this.notices = next;
    for (const listener of [...this.listeners]) listener();
  }
}

/** The list without the proposal and acceptance notices of a meeting, except the one keyed `keep`. */
export function withoutStale(list: readonly MeetingNotice[], meetingId: string, keep: string | null): readonly MeetingNotice[] {
  const next = list.filter((n) => n.meetingId !== meetingId || n.kind === 'reminder' || n.key === keep);
  return next.length === list.length ? list : next;
}

/**
 * The list with `notice` added last; the same event twice is shown once, a newer notice of the
 * same meeting and kind replaces an older one, and at most MAX_NOTICES stay.
 */
export function addNotice(list: readonly MeetingNotice[], notice: MeetingNotice): readonly MeetingNotice[] {
  if (list.some((n) => n.key === notice.key)) return list;
  const rest = list.filter((n) => !(n.meetingId === notice.meetingId && n.kind === notice.kind));
  return [...rest, notice].slice(-MAX_NOTICES);
}

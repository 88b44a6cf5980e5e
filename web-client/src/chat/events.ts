// Live group event updates: the server sends `{type: "group_event", event, reminder}` to the
// host, the speakers and everyone going when an event is cancelled, and 15 minutes before it
// starts (docs/protocol.md). The event replaces its old version in the cached lists at once and
// they are refetched; reminders and cancellations become notices (MeetingNotices).
import type { QueryClient } from '@tanstack/react-query';
import type { GroupEvent } from '../api/events';
import { eventKeys } from '../api/queryKeys';
import type { Page } from '../api/types';
import { upsertEvent } from '../lib/events';

// The keys of the three queries an event update touches (api/queryKeys.ts).
export const MY_EVENTS_KEY = eventKeys.mine;
export const eventKey = eventKeys.detail;
export const programEventsKey = eventKeys.ofProgram;

/** Enough of an event to file it. */
export function isGroupEvent(value: unknown): value is GroupEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<GroupEvent>;
  return (
    typeof e.id === 'string' &&
    typeof e.program_id === 'string' &&
    typeof e.starts_at === 'string' &&
    typeof e.status === 'string' &&
    typeof e.host === 'object' &&
    e.host !== null
  );
}

/**
 * Applies an event (a frame's, or a mutation's answer) to the cached lists and the event's own
 * query, and refetches them. `my_rsvp` is the receiver's, so it is right in every list.
 */
export function applyEventUpdate(queryClient: QueryClient, event: unknown): void {
  if (!isGroupEvent(event)) return;
  queryClient.setQueryData<GroupEvent>(eventKey(event.id), event);
  queryClient.setQueryData<Page<GroupEvent>>(MY_EVENTS_KEY, (old) =>
    old && old.items.some((e) => e.id === event.id) ? { ...old, items: upsertEvent(old.items, event) } : old,
  );
  queryClient.setQueryData<Page<GroupEvent>>(programEventsKey(event.program_id), (old) =>
    old ? { ...old, items: old.items.map((e) => (e.id === event.id ? event : e)) } : old,
  );
  void queryClient.invalidateQueries({ queryKey: MY_EVENTS_KEY });
  void queryClient.invalidateQueries({ queryKey: eventKey(event.id) });
  void queryClient.invalidateQueries({ queryKey: programEventsKey(event.program_id) });
}

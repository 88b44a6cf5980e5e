// Live group event updates: the server sends `{type: "group_event", event, reminder}` to the
// host, the speakers and everyone going when an event is cancelled, and 15 minutes before it
// starts (docs/protocol.md). The event replaces its old version in the cached lists (paged,
// infinite queries) at once and they are refetched; reminders and cancellations become notices
// (MeetingNotices).
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
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

/** A cached event list: the pages loaded so far of `MY_EVENTS_KEY` or `programEventsKey` (usePagedList). */
export type EventPages = InfiniteData<Page<GroupEvent>, string | null>;

/**
 * The cached pages with `event` put into every page that holds an older version of it, by
 * `place` (that page's items, the event). An event in no loaded page leaves the data as it is
 * (the refetch brings it where it belongs), and nothing cached stays nothing.
 */
function updateEventPages(
  data: EventPages | undefined,
  event: GroupEvent,
  place: (items: readonly GroupEvent[], event: GroupEvent) => GroupEvent[],
): EventPages | undefined {
  if (!data) return data;
  let found = false;
  const pages = data.pages.map((page) => {
    if (!page.items.some((e) => e.id === event.id)) return page;
    found = true;
    return { ...page, items: place(page.items, event) };
  });
  return found ? { ...data, pages } : data;
}

/**
 * My events with `event` replacing its old version in the page that holds it (kept soonest first
 * within the page, upsertEvent); an event not on a loaded page is left to the refetch.
 */
export function updateMyEvents(data: EventPages | undefined, event: GroupEvent): EventPages | undefined {
  return updateEventPages(data, event, upsertEvent);
}

/** A program's events with `event` replacing its old version where it is; nothing else changes. */
export function updateProgramEvents(data: EventPages | undefined, event: GroupEvent): EventPages | undefined {
  return updateEventPages(data, event, (items, e) => items.map((old) => (old.id === e.id ? e : old)));
}

/**
 * A program's events with a just created `event` first on the first page (the refetch puts it
 * in its place), and out of any other page. Nothing cached, or no page loaded, stays as it is.
 */
export function addProgramEvent(data: EventPages | undefined, event: GroupEvent): EventPages | undefined {
  if (!data || data.pages.length === 0) return data;
  const pages = data.pages.map((page, i) => {
    const rest = page.items.filter((e) => e.id !== event.id);
    return i === 0 ? { ...page, items: [event, ...rest] } : rest.length === page.items.length ? page : { ...page, items: rest };
  });
  return { ...data, pages };
}

/**
 * Applies an event (a frame's, or a mutation's answer) to the cached lists and the event's own
 * query, and refetches them. `my_rsvp` is the receiver's, so it is right in every list.
 */
export function applyEventUpdate(queryClient: QueryClient, event: unknown): void {
  if (!isGroupEvent(event)) return;
  queryClient.setQueryData<GroupEvent>(eventKey(event.id), event);
  queryClient.setQueryData<EventPages>(MY_EVENTS_KEY, (old) => updateMyEvents(old, event));
  queryClient.setQueryData<EventPages>(programEventsKey(event.program_id), (old) => updateProgramEvents(old, event));
  void queryClient.invalidateQueries({ queryKey: MY_EVENTS_KEY });
  void queryClient.invalidateQueries({ queryKey: eventKey(event.id) });
  void queryClient.invalidateQueries({ queryKey: programEventsKey(event.program_id) });
}

import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { GroupEvent } from '../api/events';
import { groupEvent } from './testing';
import {
  addProgramEvent,
  applyEventUpdate,
  eventKey,
  isGroupEvent,
  MY_EVENTS_KEY,
  programEventsKey,
  updateMyEvents,
  updateProgramEvents,
  type EventPages,
} from './events';
import { MeetingNotices } from './meetings';
import { parseServerFrame } from './protocol';

const event = groupEvent;

/** Cached pages as usePagedList's infinite query holds them. */
function pages(...lists: GroupEvent[][]): EventPages {
  return {
    pages: lists.map((items, i) => ({ items, next_cursor: i < lists.length - 1 ? `c${i + 1}` : null })),
    pageParams: lists.map((_, i) => (i === 0 ? null : `c${i}`)),
  };
}

const ids = (data: EventPages | undefined) => data?.pages.map((p) => p.items.map((e) => e.id));

describe('applyEventUpdate', () => {
  it('replaces the event in the page of every cached list that holds it, and refetches them', () => {
    const client = new QueryClient();
    const first = event({ id: 'event-0', starts_at: '2030-01-01T00:00:00Z' });
    const other = event({ id: 'event-2', starts_at: '2030-02-01T00:00:00Z' });
    const mine = pages([first], [event(), other]);
    const ofProgram = pages([other, first], [event()]);
    client.setQueryData<EventPages>(MY_EVENTS_KEY, mine);
    client.setQueryData<EventPages>(programEventsKey('program-1'), ofProgram);
    const cancelled = event({ status: 'cancelled' });
    applyEventUpdate(client, cancelled);

    const myNext = client.getQueryData<EventPages>(MY_EVENTS_KEY);
    expect(myNext?.pages[1]?.items).toEqual([cancelled, other]);
    expect(myNext?.pages[0]).toBe(mine.pages[0]);
    expect(myNext?.pages.map((p) => p.next_cursor)).toEqual(['c1', null]);
    expect(myNext?.pageParams).toEqual([null, 'c1']);

    const programNext = client.getQueryData<EventPages>(programEventsKey('program-1'));
    expect(programNext?.pages[1]?.items).toEqual([cancelled]);
    expect(programNext?.pages[0]).toBe(ofProgram.pages[0]);
    expect(programNext?.pageParams).toEqual([null, 'c1']);

    expect(client.getQueryData(eventKey('event-1'))).toEqual(cancelled);
    expect(client.getQueryState(MY_EVENTS_KEY)?.isInvalidated).toBe(true);
    expect(client.getQueryState(programEventsKey('program-1'))?.isInvalidated).toBe(true);
  });

  it('leaves lists that are not cached undefined', () => {
    const client = new QueryClient();
    applyEventUpdate(client, event({ status: 'cancelled' }));
    expect(client.getQueryData(MY_EVENTS_KEY)).toBeUndefined();
    expect(client.getQueryData(programEventsKey('program-1'))).toBeUndefined();
    expect(client.getQueryData(eventKey('event-1'))).toEqual(event({ status: 'cancelled' }));
  });

  it('touches only the program of the event', () => {
    const client = new QueryClient();
    const elsewhere = pages([event({ program_id: 'program-2', id: 'event-9' })]);
    client.setQueryData<EventPages>(programEventsKey('program-2'), elsewhere);
    applyEventUpdate(client, event({ status: 'cancelled' }));
    expect(client.getQueryData(programEventsKey('program-2'))).toBe(elsewhere);
    expect(client.getQueryState(programEventsKey('program-2'))?.isInvalidated).toBe(false);
  });

  it('ignores what is not an event', () => {
    const client = new QueryClient();
    applyEventUpdate(client, { id: 'x' });
    expect(client.getQueryData(eventKey('x'))).toBeUndefined();
    expect(isGroupEvent(null)).toBe(false);
    expect(isGroupEvent(event())).toBe(true);
  });
});

describe('updateMyEvents', () => {
  it('keeps the page it changes soonest first', () => {
    const a = event({ id: 'a', starts_at: '2030-01-01T00:00:00Z' });
    const b = event({ id: 'b', starts_at: '2030-03-01T00:00:00Z' });
    const c = event({ id: 'c', starts_at: '2030-04-01T00:00:00Z' });
    const moved = event({ id: 'c', starts_at: '2030-02-01T00:00:00Z' });
    expect(ids(updateMyEvents(pages([a], [b, c]), moved))).toEqual([['a'], ['c', 'b']]);
  });

  it('leaves the data alone when the event is on no loaded page (the refetch brings it)', () => {
    const data = pages([event({ id: 'a' })], [event({ id: 'b' })]);
    expect(updateMyEvents(data, event({ id: 'new' }))).toBe(data);
    expect(updateMyEvents(undefined, event())).toBeUndefined();
    const empty = pages();
    expect(updateMyEvents(empty, event())).toBe(empty);
  });
});

describe('updateProgramEvents', () => {
  it('replaces the event where it is, keeping the order', () => {
    const a = event({ id: 'a' });
    const b = event({ id: 'b' });
    const c = event({ id: 'c' });
    const updated = event({ id: 'b', going: 40 });
    const next = updateProgramEvents(pages([a], [c, b]), updated);
    expect(next?.pages[1]?.items).toEqual([c, updated]);
    expect(ids(next)).toEqual([['a'], ['c', 'b']]);
  });

  it('adds nothing that is not there, and leaves nothing cached undefined', () => {
    const data = pages([event({ id: 'a' })]);
    expect(updateProgramEvents(data, event({ id: 'new' }))).toBe(data);
    expect(updateProgramEvents(undefined, event())).toBeUndefined();
  });
});

describe('addProgramEvent', () => {
  it('puts a new event first on the first page', () => {
    const data = pages([event({ id: 'a' })], [event({ id: 'b' })]);
    const next = addProgramEvent(data, event({ id: 'new' }));
    expect(ids(next)).toEqual([['new', 'a'], ['b']]);
    expect(next?.pages[1]).toBe(data.pages[1]);
    expect(next?.pageParams).toEqual(data.pageParams);
  });

  it('moves an event already listed instead of listing it twice', () => {
    const fresh = event({ id: 'b', title: 'Renamed' });
    const next = addProgramEvent(pages([event({ id: 'a' })], [event({ id: 'b' }), event({ id: 'c' })]), fresh);
    expect(ids(next)).toEqual([['b', 'a'], ['c']]);
    expect(next?.pages[0]?.items[0]).toBe(fresh);
  });

  it('leaves an uncached or unloaded list as it is', () => {
    expect(addProgramEvent(undefined, event())).toBeUndefined();
    const empty = pages();
    expect(addProgramEvent(empty, event())).toBe(empty);
  });
});

describe('group_event frames', () => {
  it('are parsed', () => {
    const frame = parseServerFrame(JSON.stringify({ type: 'group_event', event: event(), reminder: true }));
    expect(frame?.type).toBe('group_event');
  });

  it('raise a reminder notice once, beside meeting notices', () => {
    const notices = new MeetingNotices();
    notices.onEventFrame(event(), true, 'me', 'UTC');
    notices.onEventFrame(event(), true, 'me', 'UTC');
    expect(notices.getSnapshot().map((n) => n.key)).toEqual(['event-reminder:event-1:2030-01-15T15:00:00Z']);
    notices.onEventFrame(event({ status: 'cancelled' }), false, 'me', 'UTC');
    expect(notices.getSnapshot().map((n) => n.kind)).toEqual(['reminder', 'cancelled']);
    notices.onEventFrame(event({ status: 'cancelled' }), false, 'host', 'UTC');
    expect(notices.getSnapshot()).toHaveLength(2);
  });
});

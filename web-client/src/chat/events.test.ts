import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { GroupEvent } from '../api/events';
import { groupEvent } from './testing';
import type { Page } from '../api/types';
import { applyEventUpdate, eventKey, isGroupEvent, MY_EVENTS_KEY, programEventsKey } from './events';
import { MeetingNotices } from './meetings';
import { parseServerFrame } from './protocol';

const event = groupEvent;

describe('applyEventUpdate', () => {
  it('replaces the event in every cached list and refetches them', () => {
    const client = new QueryClient();
    const other = event({ id: 'event-2', starts_at: '2030-02-01T00:00:00Z' });
    client.setQueryData<Page<GroupEvent>>(MY_EVENTS_KEY, { items: [event(), other], next_cursor: null });
    client.setQueryData<Page<GroupEvent>>(programEventsKey('program-1'), { items: [other, event()], next_cursor: null });
    const cancelled = event({ status: 'cancelled' });
    applyEventUpdate(client, cancelled);
    expect(client.getQueryData<Page<GroupEvent>>(MY_EVENTS_KEY)?.items).toEqual([cancelled, other]);
    expect(client.getQueryData<Page<GroupEvent>>(programEventsKey('program-1'))?.items).toEqual([other, cancelled]);
    expect(client.getQueryData(eventKey('event-1'))).toEqual(cancelled);
    expect(client.getQueryState(MY_EVENTS_KEY)?.isInvalidated).toBe(true);
    expect(client.getQueryState(programEventsKey('program-1'))?.isInvalidated).toBe(true);
  });

  it('ignores what is not an event', () => {
    const client = new QueryClient();
    applyEventUpdate(client, { id: 'x' });
    expect(client.getQueryData(eventKey('x'))).toBeUndefined();
    expect(isGroupEvent(null)).toBe(false);
    expect(isGroupEvent(event())).toBe(true);
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

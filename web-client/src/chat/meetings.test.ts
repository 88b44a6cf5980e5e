import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { Meeting, Page } from '../api/types';
import type { MeetingNotice } from '../lib/meetings';
import { addNotice, applyMeetingUpdate, isMeeting, MEETINGS_KEY, MeetingNotices } from './meetings';
import { ME, meeting, THEM } from './testing';

function notice(key: string, overrides: Partial<MeetingNotice> = {}): MeetingNotice {
  return { key, meetingId: 'meeting-1', kind: 'proposed', text: key, ...overrides };
}

describe('applyMeetingUpdate', () => {
  it('replaces the cached meeting at once and refetches', async () => {
    const client = new QueryClient();
    client.setQueryData<Page<Meeting>>(MEETINGS_KEY, { items: [meeting()], next_cursor: null });
    const accepted = meeting({ status: 'accepted', updated_at: '2030-01-11T00:00:00Z' });
    applyMeetingUpdate(client, accepted);
    expect(client.getQueryData<Page<Meeting>>(MEETINGS_KEY)?.items).toEqual([accepted]);
    expect(client.getQueryState(MEETINGS_KEY)?.isInvalidated).toBe(true);
  });

  it('leaves an uncached list alone and ignores what is not a meeting', () => {
    const client = new QueryClient();
    applyMeetingUpdate(client, meeting());
    expect(client.getQueryData(MEETINGS_KEY)).toBeUndefined();
    expect(isMeeting({ id: 'x' })).toBe(false);
    expect(isMeeting(null)).toBe(false);
    expect(isMeeting(meeting())).toBe(true);
  });
});

describe('notices', () => {
  it('shows an event once, replaces an older one of the same meeting and kind, keeps five', () => {
    let list = addNotice([], notice('a'));
    expect(addNotice(list, notice('a'))).toBe(list);
    list = addNotice(list, notice('b'));
    expect(list.map((n) => n.key)).toEqual(['b']);
    list = addNotice(list, notice('r', { kind: 'reminder' }));
    expect(list.map((n) => n.key)).toEqual(['b', 'r']);
    for (let i = 0; i < 10; i++) list = addNotice(list, notice(`m${i}`, { meetingId: `m${i}` }));
    expect(list.map((n) => n.key)).toEqual(['m5', 'm6', 'm7', 'm8', 'm9']);
  });

  it('is a store that tells its listeners and forgets dismissed notices', () => {
    const store = new MeetingNotices();
    let calls = 0;
    const stop = store.subscribe(() => calls++);
    store.onFrame(meeting({ proposed_by: ME }), false, ME, 'UTC');
    expect(calls).toBe(0);
    store.onFrame(meeting({ status: 'accepted' }), true, ME, 'UTC');
    expect(calls).toBe(1);
    const [shown] = store.getSnapshot();
    expect(shown?.kind).toBe('reminder');
    expect(shown?.text).toContain('with Nia starts in 15 minutes');
    store.onFrame(meeting({ status: 'accepted' }), true, ME, 'UTC');
    expect(calls).toBe(1);
    store.onFrame(meeting({ proposed_by: THEM, id: 'other' }), false, ME, 'UTC');
    expect(store.getSnapshot()).toHaveLength(2);
    // The same frame again changes nothing.
    store.onFrame(meeting({ proposed_by: THEM, id: 'other' }), false, ME, 'UTC');
    expect(calls).toBe(2);
    store.dismiss(shown!.key);
    expect(store.getSnapshot().map((n) => n.kind)).toEqual(['proposed']);
    stop();
    store.dismiss('nothing');
    expect(calls).toBe(3);
  });

  it('drops a meeting’s stale proposal notice when it changes, and keeps its reminder', () => {
    const store = new MeetingNotices();
    store.onFrame(meeting({ proposed_by: THEM }), false, ME, 'UTC');
    store.onFrame(meeting({ status: 'accepted', proposed_by: THEM }), true, ME, 'UTC');
    expect(store.getSnapshot().map((n) => n.kind)).toEqual(['proposed', 'reminder']);
    // I accepted (in another tab): nothing new to say, and the proposal is answered.
    store.onFrame(meeting({ status: 'accepted', proposed_by: THEM, updated_at: '2030-01-11T00:00:00Z' }), false, ME, 'UTC');
    expect(store.getSnapshot().map((n) => n.kind)).toEqual(['reminder']);
    // Another proposal, then it is cancelled.
    store.onFrame(meeting({ id: 'x', proposed_by: THEM }), false, ME, 'UTC');
    store.onFrame(meeting({ id: 'x', proposed_by: THEM, status: 'cancelled' }), false, ME, 'UTC');
    expect(store.getSnapshot().map((n) => n.kind)).toEqual(['reminder']);
  });
});

import { describe, expect, it } from 'vitest';
import * as S from './state';
import { CH, del, ME, msg, THEM, view, welcome } from './testing';

function welcomed(overrides = {}, presence = {}): S.ChatState {
  return S.onWelcome(
    S.INITIAL_STATE,
    { type: 'welcome', v: 1, user_id: ME, heartbeat_ms: 20000, channels: [view(overrides)], channels_next: null, presence },
    0,
  );
}

function channel(state: S.ChatState): S.ChannelState {
  const c = state.channels[CH];
  if (!c) throw new Error('no channel');
  return c;
}

describe('chat state', () => {
  it('starts a new channel at its position and resumes a known one from what was applied', () => {
    let s = welcomed({ last_seq: 10, unread: 2, last_read_seq: 8 });
    expect(channel(s).log.applied).toBe(10);
    expect(channel(s).unread).toBe(2);
    expect(S.resumePositions(s)).toEqual({ [CH]: 10 });
    s = S.onEvent(s, msg(11), 1);
    // Reconnect: the server is at 14 now; the page keeps 11 and catches up.
    s = S.withStatus(s, 'reconnecting');
    s = S.onWelcome(s, { type: 'welcome', v: 1, user_id: ME, heartbeat_ms: 20000, channels: [view({ last_seq: 14 })], channels_next: null, presence: {} }, 2);
    expect(channel(s).log.applied).toBe(11);
    expect(channel(s).log.known).toBe(14);
    expect(channel(s).messages.bySeq.has(11)).toBe(true);
    expect(s.catchingUp).toBe(true);
    // No sync while the catch-up streams, even after the gap wait.
    expect(S.channelsNeedingSync(s, 10_000)).toEqual([]);
    s = S.onCaughtUp(s, { type: 'caught_up', last_seq: { [CH]: 14 } }, 3);
    expect(S.channelsNeedingSync(s, 10_000)).toEqual([CH]);
    for (const seq of [12, 13, 14]) s = S.onEvent(s, msg(seq), 4);
    expect(S.channelsNeedingSync(s, 10_000)).toEqual([]);
  });

  it('counts unread messages from others, not mine, and uncounts deleted ones', () => {
    let s = welcomed({ last_seq: 3, unread: 1, last_read_seq: 2 });
    s = S.onEvent(s, msg(4), 0);
    s = S.onEvent(s, msg(5, { sender_id: ME }), 0);
    s = S.onEvent(s, msg(6), 0);
    expect(channel(s).unread).toBe(3);
    expect(S.totalUnread(s)).toBe(3);
    s = S.onEvent(s, del(7, 6), 0);
    expect(channel(s).unread).toBe(2);
    s = S.onUnread(s, { type: 'unread', channel: CH, last_read_seq: 7, unread: 0 });
    expect(channel(s).unread).toBe(0);
    expect(channel(s).lastReadSeq).toBe(7);
    s = S.onEvent(s, msg(8), 0);
    expect(channel(s).unread).toBe(1);
  });

  it('ignores a duplicate event (live and catch-up both delivered it)', () => {
    let s = welcomed();
    s = S.onEvent(s, msg(1), 0);
    const again = S.onEvent(s, msg(1), 0);
    expect(again).toBe(s);
    expect(channel(again).unread).toBe(1);
  });

  it('shows "Seen" once the other member read my latest message', () => {
    let s = welcomed();
    s = S.onEvent(s, msg(1, { sender_id: ME }), 0);
    s = S.onEvent(s, msg(2), 0);
    s = S.onEvent(s, msg(3, { sender_id: ME }), 0);
    expect(S.seenBy(channel(s), ME)).toEqual({ seq: 3, names: [] });
    s = S.onRead(s, { type: 'read', channel: CH, user_id: THEM, seq: 2 });
    expect(S.seenBy(channel(s), ME)?.names).toEqual([]);
    s = S.onRead(s, { type: 'read', channel: CH, user_id: THEM, seq: 3 });
    expect(S.seenBy(channel(s), ME)).toEqual({ seq: 3, names: ['Nia'] });
    // A read position never moves back.
    s = S.onRead(s, { type: 'read', channel: CH, user_id: THEM, seq: 1 });
    expect(S.seenBy(channel(s), ME)?.names).toEqual(['Nia']);
  });

  it("keeps what it fetched of a large channel's members, asks only for unknown people, and shows no receipts there", () => {
    const big = { member_count: 1200, members: [], kind: 'group' as const, name: 'Everyone' };
    let s = welcomed(big);
    expect(channel(s).memberCount).toBe(1200);
    s = S.onEvent(s, msg(1, { sender_id: THEM }), 0);
    s = S.onEvent(s, msg(2, { sender_id: ME }), 0);
    s = S.onEvent(s, msg(3, { sender_id: '00000000-0000-0000-0000-000000000000' }), 0);
    s = S.onTyping(s, CH, 'u3', 0);
    expect(S.unknownPeople(channel(s), 1).sort()).toEqual([ME, THEM, 'u3'].sort());
    expect(S.memberName(channel(s), THEM)).toBeNull();
    s = S.onMembers(s, CH, [{ user_id: THEM, name: 'Nia', last_read_seq: 0 }]);
    expect(S.memberName(channel(s), THEM)).toBe('Nia');
    expect(S.unknownPeople(channel(s), 1).sort()).toEqual([ME, 'u3'].sort());
    // Fetched twice: kept once.
    s = S.onMembers(s, CH, [{ user_id: THEM, name: 'Nia', last_read_seq: 0 }]);
    expect(channel(s).members).toHaveLength(1);
    // A new welcome keeps the names fetched (the server sends none for a large channel).
    s = S.onWelcome(s, { type: 'welcome', v: 1, user_id: ME, heartbeat_ms: 20000, channels: [view(big)], channels_next: null, presence: {} }, 1);
    expect(S.memberName(channel(s), THEM)).toBe('Nia');
    expect(S.seenBy(channel(s), ME)).toBeNull();
    // A small channel carries all its members: nothing to ask.
    expect(S.unknownPeople(channel(welcomed()), 0)).toEqual([]);
  });

  it('names the system account that posts welcomes, and members by their names', () => {
    const s = welcomed();
    expect(S.memberName(channel(s), '00000000-0000-0000-0000-000000000000')).toBe('Kindred');
    expect(S.memberName(channel(s), THEM)).toBe('Nia');
    expect(S.memberName(channel(s), 'someone-who-left')).toBeNull();
  });

  it('shows who is typing for a few seconds, and not after their message arrives', () => {
    let s = welcomed();
    s = S.onTyping(s, CH, THEM, 1000);
    expect(S.typingText(S.typingNames(channel(s), 1000))).toBe('Nia is typing…');
    expect(S.typingNames(channel(s), 1000 + S.TYPING_SHOW_MS)).toEqual([]);
    s = S.onEvent(s, msg(1), 1500);
    expect(S.typingNames(channel(s), 1500)).toEqual([]);
    s = S.onTyping(s, CH, THEM, 2000);
    expect(S.nextTypingExpiry(s)).toBe(2000 + S.TYPING_SHOW_MS);
    s = S.expireTyping(s, 2000 + S.TYPING_SHOW_MS);
    expect(channel(s).typing).toEqual({});
    expect(S.typingText(['A', 'B'])).toBe('A and B are typing…');
    expect(S.typingText(['A', 'B', 'C'])).toBe('Several people are typing…');
  });

  it('tracks presence from welcome and presence frames, and names pairs after the other person', () => {
    let s = welcomed({}, { [THEM]: 'online' });
    expect(s.presence[THEM]).toBe('online');
    s = S.onPresence(s, THEM, 'offline');
    expect(s.presence[THEM]).toBe('offline');
    expect(S.channelTitle(channel(s), ME)).toBe('Nia');
    expect(S.otherMember(channel(s), ME)?.user_id).toBe(THEM);
  });

  it('starts a channel again when the server’s log ends before what the page applied', () => {
    let s = welcomed({ last_seq: 0 });
    for (const seq of [1, 2, 3]) s = S.onEvent(s, msg(seq), 0);
    s = S.onCaughtUp(s, { type: 'caught_up', last_seq: { [CH]: 1 } }, 0);
    expect(channel(s).log.applied).toBe(1);
    expect([...channel(s).messages.bySeq.keys()]).toEqual([1]);
    s = S.onEvent(s, msg(2, { body: 'the new second' }), 0);
    expect(channel(s).messages.bySeq.get(2)?.body).toBe('the new second');
  });

  it('keeps a channel that is not in the welcome page, and its pending writes; fails writes to a channel it never had', () => {
    let s = welcomed();
    const op = {
      ref: 'w1',
      kind: 'send' as const,
      body: 'hi',
      target: null,
      status: 'queued' as const,
      seq: null,
      error: null,
      retryAt: 0,
      created_at: '',
    };
    s = S.withPending(s, [
      { ...op, client_id: 'a', channel: CH },
      { ...op, client_id: 'b', channel: 'never-loaded' },
    ]);
    s = S.onWelcome(s, welcome([], { channels_next: 'c1' }), 0);
    expect(s.channels[CH]).toBeDefined();
    expect(s.pending.map((p) => p.status)).toEqual(['queued', 'failed']);
  });
});

describe('a paged channel list', () => {
  const B = 'channel-b';
  const C = 'channel-c';

  it('takes the next-page cursor from the welcome, and keeps the channels loaded besides its page', () => {
    let s = S.onWelcome(S.INITIAL_STATE, welcome([view({ last_seq: 3 })], { channels_next: 'c1' }), 0);
    expect(s.channelsNext).toBe('c1');
    s = S.onChannelsPage(s, [view({ id: B, last_seq: 1 })], 'c2', 0);
    s = S.onEvent(s, msg(2, { channel_id: B }), 0);
    s = S.onChannelFetched(s, view({ id: C, last_seq: 7 }), 0);
    expect(s.channelsNext).toBe('c2');
    // A reconnect: the welcome's page is CH alone, and the pages start over after it.
    s = S.withStatus(s, 'reconnecting');
    s = S.onWelcome(s, welcome([view({ last_seq: 5, unread: 2 })], { channels_next: 'c1-again' }), 1);
    expect(Object.keys(s.channels).sort()).toEqual([B, C, CH].sort());
    expect(s.channels[CH]?.unread).toBe(2);
    expect(s.channels[B]?.messages.bySeq.has(2)).toBe(true);
    expect(S.resumePositions(s)).toEqual({ [CH]: 3, [B]: 2, [C]: 7 });
    expect(s.channelsNext).toBe('c1-again');
  });

  it('merges a page by id, keeping what the page has of a channel it already had', () => {
    let s = welcomed({ last_seq: 2 });
    s = S.onHistoryPage(s, CH, [msg(1), msg(2)], null, 0);
    s = S.onEvent(s, msg(3), 0);
    s = S.onTyping(s, CH, THEM, 0);
    expect(S.channelAvailability(s, CH).status).toBe('ready');
    s = S.onChannelsLoadStart(s);
    expect(s.channelsLoading).toBe(true);
    // The page's view of CH was read before message 3: older than what the page applied.
    s = S.onChannelsPage(s, [view({ id: B }), view({ last_seq: 2, unread: 0, name: 'Renamed' }), view({ id: B })], null, 1);
    const c = s.channels[CH];
    expect(Object.keys(s.channels)).toHaveLength(2);
    expect(c?.name).toBe('Renamed');
    expect([...(c?.messages.bySeq.keys() ?? [])]).toEqual([1, 2, 3]);
    expect(c?.history.loaded).toBe(true);
    expect(c?.log.applied).toBe(3);
    expect(c?.unread).toBe(1);
    expect(c?.typing[THEM]).toBeDefined();
    expect(s.channelsNext).toBeNull();
    expect(s.channelsLoading).toBe(false);
    // A view that knows of a later read (in another tab) moves the read position and the count.
    s = S.onChannelsPage(s, [view({ last_seq: 3, last_read_seq: 3, unread: 0 })], null, 2);
    expect(s.channels[CH]?.lastReadSeq).toBe(3);
    expect(s.channels[CH]?.unread).toBe(0);
  });

  it('records a failed page, cleared by the next attempt', () => {
    let s = welcomed();
    s = S.onChannelsLoadStart(s);
    s = S.onChannelsLoadFailed(s, 'Could not reach the server.');
    expect(s.channelsError).toBe('Could not reach the server.');
    expect(s.channelsLoading).toBe(false);
    s = S.onChannelsLoadStart(s);
    expect(s.channelsError).toBeNull();
  });

  it('orders channels by last_activity_at, most recent first, and moves one up with a new message', () => {
    let s = S.onWelcome(
      S.INITIAL_STATE,
      welcome([
        view({ id: B, name: 'B', last_activity_at: '2030-01-03T00:00:00Z' }),
        view({ name: 'CH', last_activity_at: '2030-01-05T00:00:00Z' }),
      ]),
      0,
    );
    s = S.onChannelsPage(s, [view({ id: C, name: 'C', last_activity_at: '2030-01-01T00:00:00Z' })], null, 0);
    expect(s.channels[B]?.lastActivity).toBe('2030-01-03T00:00:00Z');
    expect(S.sortedChannels(s).map((c) => c.id)).toEqual([CH, B, C]);
    s = S.onEvent(s, msg(1, { channel_id: C, created_at: '2030-01-06T00:00:00Z' }), 0);
    expect(S.sortedChannels(s).map((c) => c.id)).toEqual([C, CH, B]);
    // A view older than what the page saw does not move it back.
    s = S.onChannelsPage(s, [view({ id: C, last_seq: 1, last_activity_at: '2030-01-01T00:00:00Z' })], null, 0);
    expect(s.channels[C]?.lastActivity).toBe('2030-01-06T00:00:00Z');
    // A channel fetched by id sorts by its own activity.
    s = S.onChannelFetched(s, view({ id: 'd', last_activity_at: '2030-01-04T00:00:00Z' }), 0);
    expect(S.sortedChannels(s).map((c) => c.id)).toEqual([C, CH, 'd', B]);
  });

  it('tracks a channel asked for by id: loading, not found, and there once it is added', () => {
    let s = welcomed();
    expect(S.channelAvailability(s, 'y')).toEqual({ status: 'loading' });
    s = S.onChannelLookupStart(s, 'y');
    expect(s.lookups.y).toEqual({ status: 'loading' });
    s = S.onChannelLookupFailed(s, 'y', null);
    expect(S.channelAvailability(s, 'y')).toEqual({ status: 'not_found' });
    s = S.onChannelAdded(s, view({ id: 'y' }), 0);
    expect(S.channelAvailability(s, 'y').status).toBe('ready');
    expect(s.lookups.y).toBeUndefined();
    s = S.onChannelLookupStart(s, 'z');
    s = S.onChannelLookupFailed(s, 'z', 'The server had a problem.');
    expect(S.channelAvailability(s, 'z')).toEqual({ status: 'failed', error: 'The server had a problem.' });
    // Before the welcome, nothing is known to be missing.
    expect(S.channelAvailability({ ...s, welcomed: false }, 'z')).toEqual({ status: 'loading' });
  });
});

describe('blocks', () => {
  const GROUP = 'group-of-three';
  function withGroup(): S.ChatState {
    const group = view({
      id: GROUP,
      kind: 'group',
      name: 'Cohort',
      member_count: 3,
      members: [
        { user_id: ME, name: 'Kwame', last_read_seq: 0 },
        { user_id: THEM, name: 'Nia', last_read_seq: 0 },
        { user_id: 'amara', name: 'Amara', last_read_seq: 0 },
      ],
    });
    const followUp = view({
      id: 'follow-up',
      kind: 'group',
      name: 'Follow-up',
      members: [
        { user_id: ME, name: 'Kwame', last_read_seq: 0 },
        { user_id: 'amara', name: 'Amara', last_read_seq: 0 },
      ],
    });
    return S.onWelcome(S.INITIAL_STATE, welcome([view(), group, followUp]), 0);
  }

  it('finds the conversations of just the two of us, never with myself or Kindred', () => {
    const s = withGroup();
    expect(S.conversationsWith(s, THEM)).toEqual([CH]);
    expect(S.conversationsWith(s, 'amara')).toEqual(['follow-up']);
    expect(S.conversationsWith(s, ME)).toEqual([]);
    expect(S.conversationsWith(s, '00000000-0000-0000-0000-000000000000')).toEqual([]);
  });

  it('a block closes those conversations at once, not shared groups; lifting it waits for the server', () => {
    const s = withGroup();
    const blocked = S.onBlock(s, THEM, true);
    expect(blocked.channels[CH]?.canPost).toBe(false);
    expect(blocked.channels[GROUP]?.canPost).toBe(true);
    expect(blocked.channels['follow-up']?.canPost).toBe(true);
    expect(S.closedConversationsWith(blocked, THEM)).toEqual([CH]);
    expect(S.closedConversationsWith(s, THEM)).toEqual([]);
    // Again: nothing changes.
    expect(S.onBlock(blocked, THEM, true)).toBe(blocked);
    expect(S.onBlock(blocked, THEM, false)).toBe(blocked);
  });

  it('a closed announcement channel is not a conversation a presence frame reopens', () => {
    const s = S.onWelcome(
      S.INITIAL_STATE,
      welcome([view({ kind: 'announcement', name: 'News', can_post: false })]),
      0,
    );
    expect(S.closedConversationsWith(s, THEM)).toEqual([]);
  });

  it('a write refused as read_only fails and closes its channel; other refusals only fail', () => {
    const op = {
      kind: 'send' as const,
      body: 'hi',
      target: null,
      status: 'sent' as const,
      seq: null,
      error: null,
      retryAt: 0,
      created_at: '',
    };
    let s = S.withPending(withGroup(), [
      { ...op, client_id: 'a', ref: 'w1', channel: CH },
      { ...op, client_id: 'b', ref: 'w2', channel: GROUP },
    ]);
    s = S.onWriteRefused(s, 'w2', 'rate_limited', 'slow down', 0);
    expect(s.channels[GROUP]?.canPost).toBe(true);
    expect(s.pending.map((p) => p.status)).toEqual(['sent', 'queued']);
    s = S.onWriteRefused(s, 'w1', 'read_only', 'this conversation is closed to new messages', 0);
    expect(s.channels[CH]?.canPost).toBe(false);
    expect(s.pending[0]).toMatchObject({ status: 'failed', error: 'this conversation is closed to new messages' });
    // A ref nothing was sent with changes nothing.
    expect(S.onWriteRefused(s, 'unknown', 'read_only', 'x', 0)).toBe(s);
  });
});

describe('moderation', () => {
  const B = 'channel-b';

  it('drops a channel I was taken out of, fails its writes, and says so to a page showing it', () => {
    let s = S.onWelcome(S.INITIAL_STATE, welcome([view(), view({ id: B, kind: 'group', member_count: 4 })]), 0);
    s = S.withPending(s, [
      {
        client_id: 'a',
        ref: 'w1',
        channel: B,
        kind: 'send',
        body: 'hi',
        target: null,
        status: 'sent',
        seq: null,
        error: null,
        retryAt: 0,
        created_at: '',
      },
    ]);
    s = S.onChannelRemoved(s, B);
    expect(Object.keys(s.channels)).toEqual([CH]);
    expect(s.pending[0]?.status).toBe('failed');
    expect(S.channelAvailability(s, B)).toEqual({ status: 'not_found', removed: true });
    // Added back: there again.
    s = S.onChannelAdded(s, view({ id: B, kind: 'group', member_count: 4 }), 1);
    expect(S.channelAvailability(s, B).status).toBe('ready');
  });

  it('a complete welcome after a reconnect drops the channels it no longer lists (suspended from their program)', () => {
    let s = S.onWelcome(S.INITIAL_STATE, welcome([view(), view({ id: B })]), 0);
    s = S.withStatus(s, 'reconnecting');
    s = S.onWelcome(s, welcome([view()]), 1);
    expect(Object.keys(s.channels)).toEqual([CH]);
    expect(s.removed[B]).toBe(true);
    // A welcome that holds only the first page cannot say: the others stay (the client reads them again).
    s = S.onChannelFetched(s, view({ id: B }), 2);
    s = S.onWelcome(s, welcome([view()], { channels_next: 'c1' }), 3);
    expect(Object.keys(s.channels).sort()).toEqual([B, CH].sort());
  });

  it('knows a locked channel from its view', () => {
    let s = S.onWelcome(S.INITIAL_STATE, welcome([view({ kind: 'group', member_count: 4, locked: true, can_post: false })]), 0);
    expect(s.channels[CH]?.locked).toBe(true);
    s = S.onChannelFetched(s, view({ kind: 'group', member_count: 4, locked: false, can_post: true }), 1);
    expect(s.channels[CH]?.locked).toBe(false);
    expect(s.channels[CH]?.canPost).toBe(true);
  });

  it('marks a message a coordinator removed, live and from catch-up', () => {
    let s = S.onWelcome(S.INITIAL_STATE, welcome([view({ kind: 'group', member_count: 4 })]), 0);
    s = S.onEvent(s, msg(1), 0);
    s = S.onEvent(s, msg(2), 0);
    s = S.onEvent(s, { ...del(3, 1), message: { ...msg(1), body: '', deleted_at: '2030-01-01T00:01:00Z', removed_by_coordinator: true } }, 0);
    s = S.onEvent(s, del(4, 2, { removed_by_coordinator: true }), 0);
    expect(s.channels[CH]?.messages.bySeq.get(1)?.removed_by_coordinator).toBe(true);
    expect(s.channels[CH]?.messages.bySeq.get(2)?.removed_by_coordinator).toBe(true);
    // An author's own delete is just deleted.
    s = S.onEvent(s, msg(5), 0);
    s = S.onEvent(s, del(6, 5), 0);
    expect(s.channels[CH]?.messages.bySeq.get(5)?.removed_by_coordinator).toBeUndefined();
  });
});

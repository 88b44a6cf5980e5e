import { describe, expect, it } from 'vitest';
import * as S from './state';
import { CH, del, ME, msg, THEM, view } from './testing';

function welcomed(overrides = {}, presence = {}): S.ChatState {
  return S.onWelcome(
    S.INITIAL_STATE,
    { type: 'welcome', v: 1, user_id: ME, heartbeat_ms: 20000, channels: [view(overrides)], presence },
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
    s = S.onWelcome(s, { type: 'welcome', v: 1, user_id: ME, heartbeat_ms: 20000, channels: [view({ last_seq: 14 })], presence: {} }, 2);
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
    s = S.onWelcome(s, { type: 'welcome', v: 1, user_id: ME, heartbeat_ms: 20000, channels: [view(big)], presence: {} }, 1);
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

  it('fails pending writes to a channel that is gone after a reconnect', () => {
    let s = welcomed();
    s = S.withPending(s, [
      {
        client_id: 'a',
        ref: 'w1',
        channel: CH,
        kind: 'send',
        body: 'hi',
        target: null,
        status: 'queued',
        seq: null,
        error: null,
        retryAt: 0,
        created_at: '',
      },
    ]);
    s = S.onWelcome(s, { type: 'welcome', v: 1, user_id: ME, heartbeat_ms: 1, channels: [], presence: {} }, 0);
    expect(s.pending[0]?.status).toBe('failed');
    expect(s.channels[CH]).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import {
  blockConsequences,
  blockErrorMessage,
  CLOSED_TEXT,
  closure,
  hiddenText,
  hidesBlocked,
  shownMessages,
  unblockErrorMessage,
  type ChannelShape,
} from './safety';

const ME = 'me';
const KWAME = 'kwame';
const AMARA = 'amara';

function m(seq: number, sender: string) {
  return { seq, sender_id: sender, body: `message ${seq}` };
}

describe('what blocking does, said before anything is sent', () => {
  it('names the person and every consequence in plain words', () => {
    const text = blockConsequences('Kwame').join('\n');
    expect(text).toContain('Your conversation with Kwame closes to new messages, for both of you.');
    expect(text).toContain('Neither of you can call the other or schedule a meeting');
    expect(text).toContain('see the other as offline');
    expect(text).toContain('the match ends quietly, and you will both be matched with someone else');
    expect(text).toContain('Kwame is not told that you blocked them.');
    expect(text).toContain('you will not see Kwame’s messages there');
  });
});

describe('refusals in words', () => {
  it('maps the API’s 409, 404 and 422', () => {
    expect(blockErrorMessage(new ApiError(409, 'conflict', 'you have already blocked this person'), 'Kwame')).toBe(
      'You have already blocked Kwame.',
    );
    expect(blockErrorMessage(new ApiError(404, 'not_found', 'not found'), 'Kwame')).toBe(
      'You cannot block Kwame: you do not share a program with them.',
    );
    expect(
      blockErrorMessage(new ApiError(422, 'validation', 'invalid', { user_id: 'you cannot block yourself' }), 'Kwame'),
    ).toBe('You cannot block yourself.');
  });

  it('says anything else as the API did, or that the server could not be reached', () => {
    expect(blockErrorMessage(new ApiError(500, 'server_error', 'the database is down'), 'Kwame')).toBe('The database is down');
    expect(blockErrorMessage(new TypeError('Failed to fetch'), 'Kwame')).toMatch(/Could not reach the server/);
    expect(unblockErrorMessage(new ApiError(404, 'not_found', 'not found'), 'Kwame')).toBe('Kwame is not blocked any more.');
    expect(unblockErrorMessage(new ApiError(403, 'forbidden', 'nope'), 'Kwame')).toBe('Nope');
  });
});

describe('hiding the messages of people I blocked', () => {
  it('hides them in shared group and announcement channels only', () => {
    expect(hidesBlocked({ kind: 'group', memberCount: 3 })).toBe(true);
    expect(hidesBlocked({ kind: 'announcement', memberCount: 500 })).toBe(true);
    // A conversation of just the two of us stays readable (it is closed instead).
    expect(hidesBlocked({ kind: 'pair', memberCount: 2 })).toBe(false);
    expect(hidesBlocked({ kind: 'group', memberCount: 2 })).toBe(false);
  });

  it('shows everything when nobody is blocked, or the channel does not hide', () => {
    const messages = [m(1, KWAME), m(2, ME)];
    const all = messages.map((message) => ({ kind: 'message', message }));
    expect(shownMessages(messages, new Set(), true)).toEqual(all);
    expect(shownMessages(messages, new Set([KWAME]), false)).toEqual(all);
  });

  it('puts one note in place of each run of hidden messages, counting them and their authors', () => {
    const messages = [m(1, KWAME), m(2, KWAME), m(3, ME), m(4, KWAME), m(5, AMARA), m(6, 'someone'), m(7, KWAME)];
    const shown = shownMessages(messages, new Set([KWAME, AMARA]), true);
    expect(shown).toEqual([
      { kind: 'hidden', seq: 1, count: 2, people: 1 },
      { kind: 'message', message: m(3, ME) },
      { kind: 'hidden', seq: 4, count: 2, people: 2 },
      { kind: 'message', message: m(6, 'someone') },
      { kind: 'hidden', seq: 7, count: 1, people: 1 },
    ]);
  });

  it('says so shortly and neutrally', () => {
    expect(hiddenText(1, 1)).toBe('Message hidden (you blocked this person)');
    expect(hiddenText(3, 1)).toBe('3 messages hidden (you blocked the person who wrote them)');
    expect(hiddenText(2, 2)).toBe('2 messages hidden (you blocked the people who wrote them)');
  });
});

describe('why a conversation takes no new messages', () => {
  const pair: ChannelShape = {
    kind: 'pair',
    memberCount: 2,
    canPost: true,
    members: [
      { user_id: ME, name: 'Nia' },
      { user_id: KWAME, name: 'Kwame' },
    ],
  };

  it('is nothing while I can post', () => {
    expect(closure(pair, ME, new Set([KWAME]))).toBeNull();
  });

  it('is a closed conversation, naming the other person only when I blocked them', () => {
    const closed = { ...pair, canPost: false };
    expect(closure(closed, ME, new Set([KWAME]))).toEqual({
      reason: 'closed',
      blockedByMe: { user_id: KWAME, name: 'Kwame' },
    });
    // They blocked me: the same words, and no name.
    expect(closure(closed, ME, new Set())).toEqual({ reason: 'closed', blockedByMe: null });
    // A coordinator's follow-up of just the two of us closes the same way.
    expect(closure({ ...closed, kind: 'group' }, ME, new Set([KWAME]))?.reason).toBe('closed');
    expect(CLOSED_TEXT).toBe('This conversation is closed to new messages.');
  });

  it('is an announcement channel where only coordinators post', () => {
    expect(closure({ ...pair, kind: 'announcement', memberCount: 40, canPost: false }, ME, new Set([KWAME]))).toEqual({
      reason: 'announcement',
    });
  });
});

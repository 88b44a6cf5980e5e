// Blocking a person (docs/safety.md), what the UI says and decides without React: what blocking
// does, in plain words, before anything is sent; the API's refusals in words; which messages a
// conversation shows when the reader blocked their author; and why a conversation takes no new
// messages.
import { ApiError, errorMessage } from '../api/client';

/** Where the people one blocked are listed, and unblocked (SettingsPage). */
export const BLOCKED_PEOPLE_PATH = '/settings#blocked-people';

/** What blocking `name` does, one consequence per item, said before anything is sent. */
export function blockConsequences(name: string): string[] {
  return [
    `Your conversation with ${name} closes to new messages, for both of you. Earlier messages stay readable.`,
    'Neither of you can call the other or schedule a meeting, and your upcoming meetings together are cancelled.',
    'You each see the other as offline: typing and read receipts stop too.',
    `If you are matched with ${name}, or proposed to each other, the match ends quietly, and you will both be matched with someone else.`,
    `${name} is not told that you blocked them. If they write to you, they read that the conversation is closed to new messages, the same words you see; if you were matched, they see that the match ended, not why.`,
    `In group channels you share, you can both still take part, but you will not see ${name}’s messages there.`,
  ];
}

/** How a block is undone, said with what it does. */
export const UNBLOCK_WHERE = 'You can unblock them at any time under Settings → Blocked people.';

/** What unblocking does: contact, not the match. */
export const UNBLOCK_EXPLAINED =
  'Unblocking someone restores contact: your conversation reopens and you see each other online again. It does not bring back a match that the block ended.';

/** Said once the block went through. */
export function blockDone(name: string): string {
  return `You blocked ${name}. Your conversation is closed, and you cannot reach each other until you unblock them.`;
}

/** Why blocking `name` did not go through (the API's 409, 404 and 422), in words. */
export function blockErrorMessage(error: unknown, name: string): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 409:
        return `You have already blocked ${name}.`;
      case 404:
        return `You cannot block ${name}: you do not share a program with them.`;
      case 422:
        return 'You cannot block yourself.';
    }
  }
  return errorMessage(error);
}

/** Why unblocking `name` did not go through (404: not blocked, perhaps lifted on another device). */
export function unblockErrorMessage(error: unknown, name: string): string {
  if (error instanceof ApiError && error.status === 404) return `${name} is not blocked any more.`;
  return errorMessage(error);
}

/** The few fields of a channel these decisions read (chat/state.ts ChannelState has them). */
export interface ChannelShape {
  readonly kind: 'pair' | 'group' | 'announcement';
  readonly memberCount: number;
  readonly canPost: boolean;
  readonly members: readonly { readonly user_id: string; readonly name: string }[];
}

/**
 * Whether a channel hides the messages of people I blocked: shared group and announcement
 * channels do. A conversation of just the two of us does not (it is closed instead, and its
 * earlier messages stay readable).
 */
export function hidesBlocked(channel: Pick<ChannelShape, 'kind' | 'memberCount'>): boolean {
  return channel.kind !== 'pair' && channel.memberCount > 2;
}

/** A message to show, or in its place one note for a run of messages from people I blocked. */
export type Shown<M> =
  | { readonly kind: 'message'; readonly message: M }
  | { readonly kind: 'hidden'; readonly seq: number; readonly count: number; readonly people: number };

/**
 * The messages (in order) as a conversation shows them to me: with `hide`, each run of
 * consecutive messages from people in `blocked` becomes one `hidden` entry (keyed by its first
 * seq) counting them and their authors.
 */
export function shownMessages<M extends { readonly seq: number; readonly sender_id: string }>(
  messages: readonly M[],
  blocked: ReadonlySet<string>,
  hide: boolean,
): Shown<M>[] {
  const out: Shown<M>[] = [];
  let run: { seq: number; count: number; senders: Set<string> } | null = null;
  const close = () => {
    if (run) out.push({ kind: 'hidden', seq: run.seq, count: run.count, people: run.senders.size });
    run = null;
  };
  for (const message of messages) {
    if (hide && blocked.has(message.sender_id)) {
      if (run) {
        run.count += 1;
        run.senders.add(message.sender_id);
      } else {
        run = { seq: message.seq, count: 1, senders: new Set([message.sender_id]) };
      }
      continue;
    }
    close();
    out.push({ kind: 'message', message });
  }
  close();
  return out;
}

/** The note in place of hidden messages: short and neutral. */
export function hiddenText(count: number, people: number): string {
  const who = people > 1 ? 'you blocked the people who wrote them' : count > 1 ? 'you blocked the person who wrote them' : 'you blocked this person';
  return count > 1 ? `${count} messages hidden (${who})` : `Message hidden (${who})`;
}

/** What a closed conversation says, the same for both people whoever blocked whom. */
export const CLOSED_TEXT = 'This conversation is closed to new messages.';

/**
 * Why I cannot write in a channel: null when I can; `announcement` for a channel where only
 * coordinators post; `closed` for a conversation closed by a block, naming the other person when
 * I am the one who blocked them (`blocked` holds the people I blocked).
 */
export type Closure =
  | null
  | { readonly reason: 'announcement' }
  | { readonly reason: 'closed'; readonly blockedByMe: { readonly user_id: string; readonly name: string } | null };

export function closure(channel: ChannelShape, me: string | null, blocked: ReadonlySet<string>): Closure {
  if (channel.canPost) return null;
  if (channel.kind === 'announcement') return { reason: 'announcement' };
  const other =
    channel.memberCount === 2 ? (channel.members.find((m) => m.user_id !== me && blocked.has(m.user_id)) ?? null) : null;
  return { reason: 'closed', blockedByMe: other ? { user_id: other.user_id, name: other.name } : null };
}

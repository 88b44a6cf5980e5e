// Who is calling: the other person's name and our pair channel, from the chat state.
import type { ChatState } from '../chat/state';
import type { CallPeer } from './state';

/** The person `userId` as a call peer: from our pair channel with them, else any shared channel. */
export function findPeer(state: ChatState, userId: string): CallPeer | null {
  let fallback: CallPeer | null = null;
  for (const channel of Object.values(state.channels)) {
    const member = channel.members.find((m) => m.user_id === userId);
    if (!member) continue;
    if (channel.kind === 'pair') return { id: userId, name: member.name, channel: channel.id };
    fallback ??= { id: userId, name: member.name, channel: null };
  }
  return fallback;
}

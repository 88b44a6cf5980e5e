// "Schedule" in a pair conversation's header, beside Call: the Meetings page's scheduling form
// with this pair chosen.
import { Link } from 'react-router';
import type { ChannelState } from '../../chat/state';
import { otherMember } from '../../chat/state';

export function ScheduleLink({ channel, me }: { channel: ChannelState; me: string | null }) {
  const other = otherMember(channel, me);
  if (channel.kind !== 'pair' || !other) return null;
  return (
    <Link className="button button-secondary schedule-link" to={`/meetings?channel=${encodeURIComponent(channel.id)}#schedule`}>
      Schedule<span className="visually-hidden"> a meeting with {other.name}</span>
    </Link>
  );
}

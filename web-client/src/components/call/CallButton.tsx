// "Call" in a pair conversation's header: a video call with the other person.
import { useCall } from '../../call/CallProvider';
import { isLive } from '../../call/state';
import type { ChannelState } from '../../chat/state';
import { otherMember } from '../../chat/state';

export function CallButton({ channel, me, connected }: { channel: ChannelState; me: string | null; connected: boolean }) {
  const { controller, view } = useCall();
  const other = otherMember(channel, me);
  if (channel.kind !== 'pair' || !other) return null;
  const busy = isLive(view.ui.phase);
  return (
    <button
      type="button"
      className="button-secondary call-button"
      disabled={!controller || !connected || busy}
      onClick={() => controller?.start({ id: other.user_id, name: other.name, channel: channel.id })}
    >
      Call<span className="visually-hidden"> {other.name}</span>
    </button>
  );
}

// A conversation that could not be loaded (not a 404): what went wrong and a way to try again.
import type { ChatClient } from '../../chat/client';

export function ChannelLoadFailed({ client, channelId, error }: { client: ChatClient | null; channelId: string; error: string }) {
  return (
    <div className="alert alert-error" role="alert">
      {error}{' '}
      <button type="button" className="button-link" onClick={() => void client?.ensureChannel(channelId)}>
        Try again
      </button>
    </div>
  );
}

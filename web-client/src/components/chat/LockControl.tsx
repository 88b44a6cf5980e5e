// A coordinator's Lock / Unlock of a group channel of more than two people (docs/safety.md): while
// locked only coordinators post, and members read. The button says what it will do, the sentence
// beside it why, and the outcome is announced; the focus stays on the button, whose words change.
import { useId, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { api } from '../../api/endpoints';
import type { ChatClient } from '../../chat/client';
import type { ChannelState } from '../../chat/state';
import { lockWords } from '../../lib/moderation';
import { StatusMessage } from '../forms';

export function LockControl({ client, channel }: { client: ChatClient | null; channel: ChannelState }) {
  const id = useId();
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const words = lockWords(channel.locked);
  const lock = useMutation({
    mutationFn: (locked: boolean) => api.lockChannel(channel.id, locked),
    onMutate: () => {
      setError(null);
      setDone(null);
    },
    onSuccess: (_, locked) => {
      setDone(lockWords(!locked).done);
      // The `channel_changed` frame reads it again too; this page need not wait for it.
      client?.reload(channel.id);
    },
    onError: (e) => setError(errorMessage(e)),
  });
  return (
    <div className="lock-control">
      <button
        type="button"
        className="button-secondary"
        aria-describedby={`${id}-why`}
        aria-disabled={lock.isPending ? true : undefined}
        onClick={() => {
          if (!lock.isPending) lock.mutate(!channel.locked);
        }}
      >
        {lock.isPending ? 'Saving…' : words.button}
      </button>
      <p id={`${id}-why`} className="field-hint lock-why">
        {words.explains}
      </p>
      <StatusMessage message={done} />
      {error ? (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

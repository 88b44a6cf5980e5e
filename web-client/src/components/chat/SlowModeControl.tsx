// A coordinator's slow mode of a group channel of more than two people (docs/safety.md): members
// who are not coordinators post at most once in the chosen time. A choice and a button that sets
// it; the outcome is announced and the focus stays on the button.
import { useId, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { api } from '../../api/endpoints';
import type { ChatClient } from '../../chat/client';
import type { ChannelState } from '../../chat/state';
import { SLOW_MODE_CHOICES, slowModeDone } from '../../lib/moderation';
import { StatusMessage } from '../forms';

export function SlowModeControl({ client, channel }: { client: ChatClient | null; channel: ChannelState }) {
  const id = useId();
  const [choice, setChoice] = useState<number | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const chosen = choice ?? channel.slowModeS;
  const known = SLOW_MODE_CHOICES.some((c) => c.value === channel.slowModeS);
  const options = known ? SLOW_MODE_CHOICES : [...SLOW_MODE_CHOICES, { value: channel.slowModeS, label: `${channel.slowModeS} s` }];
  const save = useMutation({
    mutationFn: (seconds: number) => api.slowMode(channel.id, seconds),
    onMutate: () => {
      setError(null);
      setDone(null);
    },
    onSuccess: (_, seconds) => {
      setDone(slowModeDone(seconds));
      setChoice(null);
      client?.reload(channel.id);
    },
    onError: (e) => setError(errorMessage(e)),
  });
  return (
    <div className="lock-control slow-mode-control">
      <label htmlFor={`${id}-choice`}>Slow mode</label>{' '}
      <select
        id={`${id}-choice`}
        value={String(chosen)}
        aria-describedby={`${id}-why`}
        onChange={(event) => setChoice(Number(event.target.value))}
      >
        {options.map((o) => (
          <option key={o.value} value={String(o.value)}>
            {o.label}
          </option>
        ))}
      </select>{' '}
      <button
        type="button"
        className="button-secondary"
        aria-disabled={save.isPending ? true : undefined}
        onClick={() => {
          if (!save.isPending) save.mutate(chosen);
        }}
      >
        {save.isPending ? 'Saving…' : 'Set slow mode'}
      </button>
      <p id={`${id}-why`} className="field-hint lock-why">
        Members who are not coordinators post at most one message in the time chosen; Off lets them post freely.
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

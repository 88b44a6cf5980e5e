// A private calendar feed of my meetings, for a calendar app to subscribe to. The URL is the
// credential, so the server shows it once; making a new one turns the old one off.
import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { api } from '../../api/endpoints';
import { CopyField } from '../CopyField';
import { FormError, StatusMessage } from '../forms';

export function CalendarFeedSection() {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api.newCalendarFeed(),
    onMutate: () => setError(null),
    onSuccess: (feed) => setUrl(feed.url),
    onError: (e) => setError(errorMessage(e)),
  });
  return (
    <section aria-labelledby="feed-heading" className="card">
      <h2 id="feed-heading">Calendar feed</h2>
      <p>
        Subscribe to this address in your calendar app (Google Calendar, Outlook, Apple Calendar) to see your meetings
        there, kept up to date. Keep it private: anyone with the address sees your meetings’ titles and times.
      </p>
      <p className="muted">
        Kindred shows the address only once. Making a new one turns off the one you made before.
      </p>
      <FormError message={error} />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={() => create.mutate()} disabled={create.isPending}>
          {create.isPending ? 'Creating…' : url ? 'Replace the feed address' : 'Create a feed address'}
        </button>
      </div>
      <StatusMessage message={url ? 'Your new calendar feed address is ready. Any earlier one no longer works.' : null} />
      {url ? <CopyField label="Your private calendar feed address" value={url} /> : null}
    </section>
  );
}

// The page an email's unsubscribe link opens (`/unsubscribe?token=…`). No sign-in needed: the
// signed token says whose emails of which kind to stop. Nothing happens until the button is
// pressed, so a mail scanner that follows links turns nothing off.
import { useSearchParams, Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { dataApi } from '../api/programData';
import { PageHeading } from '../components/Page';
import { StatusMessage } from '../components/forms';
import { useSession } from '../session';

const KIND_LABELS: Record<string, string> = {
  message_digest: 'unread message digests',
  meeting_reminders: 'meeting reminders',
  survey_invitations: 'survey invitations',
  match_proposals: 'match proposals',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

export function UnsubscribePage() {
  const [params] = useSearchParams();
  const { user } = useSession();
  const token = params.get('token') ?? '';
  const unsubscribe = useMutation({ mutationFn: () => dataApi.unsubscribe(token) });
  const done = unsubscribe.data;

  return (
    <div className="narrow">
      <PageHeading title="Unsubscribe">Unsubscribe</PageHeading>
      {token === '' ? (
        <div className="alert alert-error" role="alert">
          This link has no token. Use the unsubscribe link at the end of the email, or change your email settings
          after signing in.
        </div>
      ) : done ? null : (
        <>
          <p>Stop this kind of email from Kindred? You can turn it on again in your settings at any time.</p>
          <p>
            <button type="button" onClick={() => unsubscribe.mutate()} disabled={unsubscribe.isPending}>
              {unsubscribe.isPending ? 'Unsubscribing…' : 'Unsubscribe'}
            </button>
          </p>
        </>
      )}
      <StatusMessage
        message={done ? `Done: ${done.email} will no longer get emails about ${kindLabel(done.kind)}.` : null}
      />
      {unsubscribe.isError ? (
        <div className="alert alert-error" role="alert">
          {errorMessage(unsubscribe.error)}
        </div>
      ) : null}
      <p>
        {user ? <Link to="/settings">Your email settings</Link> : <Link to="/login">Sign in to change your email settings</Link>}
      </p>
    </div>
  );
}

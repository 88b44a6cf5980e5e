// The codes of conduct I have yet to accept (GET /api/me/conduct), shown above every page's
// content: each program's text, as plain text with its line breaks, and "I accept" (POST
// …/conduct/accept with the version read). Until then the server refuses my messages, calls,
// "going" to events and entering event rooms in that program; each such refusal refetches this
// list (ChatProvider, EventCard), so a code published while the page is open shows up at the
// moment it matters. Nothing is hidden or blocked by it: the rest of the page stays usable.
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/endpoints';
import { conductKeys } from '../../api/queryKeys';
import type { PendingConduct } from '../../api/types';
import { acceptedText, acceptErrorMessage, CONDUCT_PROMPT_ID } from '../../lib/conduct';
import { formatDateTime } from '../../lib/format';
import { useSession } from '../../session';
import { FormError, StatusMessage } from '../forms';

/** Moves the focus to the first code of conduct to accept, if one shows. */
export function focusConductPrompt(): boolean {
  const heading = document.querySelector<HTMLElement>(`#${CONDUCT_PROMPT_ID} h2`);
  if (!heading) return false;
  heading.focus();
  heading.scrollIntoView({ block: 'start' });
  return true;
}

export function ConductPrompt() {
  const { user } = useSession();
  const { pathname } = useLocation();
  const pending = useQuery({ queryKey: conductKeys.mine, queryFn: api.myConduct, enabled: Boolean(user) });
  const [accepted, setAccepted] = useState<string | null>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const items = pending.data?.items ?? [];

  // The thanks belong to the page it was said on.
  useEffect(() => setAccepted(null), [pathname]);

  return (
    <>
      <div ref={statusRef} tabIndex={-1} className="status-anchor">
        <StatusMessage message={accepted} />
      </div>
      {items.map((item, i) => (
        <ConductToAccept
          key={`${item.program_id}-${item.version}`}
          item={item}
          first={i === 0}
          onAccepted={(text) => {
            setAccepted(text);
            // This prompt goes away: keep the focus on the outcome.
            statusRef.current?.focus();
          }}
        />
      ))}
    </>
  );
}

function ConductToAccept({
  item,
  first,
  onAccepted,
}: {
  item: PendingConduct;
  first: boolean;
  onAccepted: (text: string) => void;
}) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const headingId = `conduct-${item.program_id}-heading`;
  const program = item.program_name;

  const accept = useMutation({
    mutationFn: () => api.acceptConduct(item.program_id, item.version),
    onMutate: () => setError(null),
    onSuccess: () => {
      onAccepted(acceptedText(program));
      void queryClient.invalidateQueries({ queryKey: conductKeys.all });
    },
    onError: (e) => {
      setError(acceptErrorMessage(e, program));
      // A newer version came out meanwhile: show it.
      void queryClient.invalidateQueries({ queryKey: conductKeys.all });
    },
  });

  return (
    <section
      id={first ? CONDUCT_PROMPT_ID : undefined}
      className="card conduct-prompt"
      aria-labelledby={headingId}
    >
      <h2 id={headingId} tabIndex={-1}>
        Code of conduct of {program}
      </h2>
      <p>
        Please read it and accept it. Until you do, you cannot post messages, call your match, say you are going to an
        event or enter an event’s room in {program}. You can still read everything.
      </p>
      <div className="conduct-text" tabIndex={0} role="region" aria-label={`The code of conduct of ${program}`}>
        {item.text}
      </div>
      <p className="muted">
        Version {item.version}, published <time dateTime={item.updated_at}>{formatDateTime(item.updated_at)}</time>.
      </p>
      <FormError message={error} />
      <div className="actions">
        <button
          type="button"
          aria-disabled={accept.isPending ? true : undefined}
          onClick={() => {
            if (!accept.isPending) accept.mutate();
          }}
        >
          {accept.isPending ? 'Accepting…' : 'I accept'}
          <span className="visually-hidden"> the code of conduct of {program}</span>
        </button>
      </div>
    </section>
  );
}

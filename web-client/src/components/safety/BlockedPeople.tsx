// Settings → Blocked people: the people I blocked, a page at a time, each with Unblock
// (DELETE /api/me/blocks/{user_id}), and what unblocking does: contact comes back, a match the
// block ended does not. The list stays live: a `block` frame from any device of mine refetches it
// (chat/blocks.ts). Links to it carry `#blocked-people`, which moves the focus here.
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import { blockKeys } from '../../api/queryKeys';
import { applyBlockUpdate } from '../../chat/blocks';
import { formatDateTime } from '../../lib/format';
import { UNBLOCK_EXPLAINED, unblockErrorMessage } from '../../lib/safety';
import { FormError, StatusMessage } from '../forms';
import { QueryStatus } from '../Page';
import { LoadMore, usePagedList } from '../paged';

export const BLOCKED_PEOPLE_ID = 'blocked-people';

export function BlockedPeople() {
  const queryClient = useQueryClient();
  const location = useLocation();
  const blocks = usePagedList(blockKeys.list, (cursor) => api.blocks(cursor));
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const statusRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (location.hash === `#${BLOCKED_PEOPLE_ID}`) {
      heading.current?.focus();
      heading.current?.scrollIntoView({ block: 'start' });
    }
  }, [location.hash]);

  const unblock = useMutation({
    mutationFn: (person: { id: string; name: string }) => api.unblock(person.id),
    onMutate: () => {
      setError(null);
      setStatus(null);
    },
    onSuccess: (_, person) => {
      applyBlockUpdate(queryClient, person.id, false);
      setStatus(`You unblocked ${person.name}.`);
      // Their row goes away: keep the focus on the outcome.
      statusRef.current?.focus();
    },
    onError: (e, person) => {
      if (e instanceof ApiError && e.status === 404) void queryClient.invalidateQueries({ queryKey: blockKeys.mine });
      setError(unblockErrorMessage(e, person.name));
    },
  });

  return (
    <section id={BLOCKED_PEOPLE_ID} aria-labelledby="blocked-people-heading" className="card">
      <h2 id="blocked-people-heading" ref={heading} tabIndex={-1}>
        Blocked people
      </h2>
      <p>
        People you block cannot write to you in your conversation together, call you or schedule meetings with you,
        and you each see the other as offline. In group channels you share, their messages are hidden from you. To
        block someone, use Block in your conversation with them, in a call, or on My matches.
      </p>
      <p>{UNBLOCK_EXPLAINED}</p>
      <div ref={statusRef} tabIndex={-1} className="status-anchor">
        <StatusMessage message={status} />
      </div>
      <FormError message={error} />
      <QueryStatus query={blocks} loading="Loading the people you blocked…" />
      {blocks.isSuccess && blocks.items.length === 0 ? <p>You have not blocked anyone.</p> : null}
      {blocks.items.length > 0 ? (
        <ul className="blocked-list" aria-labelledby="blocked-people-heading">
          {blocks.items.map((b) => (
            <li key={b.user_id}>
              <span className="blocked-name">
                <strong>{b.name}</strong>{' '}
                <span className="muted">
                  blocked <time dateTime={b.created_at}>{formatDateTime(b.created_at)}</time>
                </span>
              </span>
              <button
                type="button"
                className="button-secondary"
                // Not `disabled`: that would drop the keyboard focus while the request runs.
                aria-disabled={unblock.isPending ? true : undefined}
                onClick={() => {
                  if (!unblock.isPending) unblock.mutate({ id: b.user_id, name: b.name });
                }}
              >
                Unblock<span className="visually-hidden"> {b.name}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <LoadMore {...blocks} what="blocked people" />
    </section>
  );
}

// Blocking a person (docs/safety.md): "Block …" buttons wherever the other person is named (a
// pair conversation's header, a sender in a group channel, a call, My matches) open one
// confirmation dialog, held by the page's frame so that it outlives what opened it (blocking
// ends a call, and the call's dialog with it). The dialog says in plain words what blocking does
// before anything is sent, then blocks (POST /api/me/blocks) and says how it went.
import { useId, useLayoutEffect, useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/endpoints';
import { applyBlockUpdate } from '../../chat/blocks';
import { blockKeys } from '../../api/queryKeys';
import { ApiError } from '../../api/client';
import { BLOCKED_PEOPLE_PATH, blockConsequences, blockDone, blockErrorMessage, UNBLOCK_WHERE } from '../../lib/safety';
import { useModalDialog } from '../call/useModalDialog';
import { FormError, StatusMessage } from '../forms';
import { dialogHost, pageHeading } from './DialogHost';

/** Someone who can be blocked: their user id and the name the page shows. */
export interface BlockTarget {
  readonly id: string;
  readonly name: string;
}

const host = dialogHost<BlockTarget>((person, onClose) => <BlockDialog person={person} onClose={onClose} />);

/** Holds the confirmation dialog of the signed-in frame (Layout). */
export const BlockingProvider = host.Provider;

/**
 * "Block NAME…": opens the confirmation. The caller decides whether to offer it (not for myself,
 * not for someone I already blocked); nothing shows outside a BlockingProvider.
 */
export function BlockButton({ person, className = 'button-secondary' }: { person: BlockTarget; className?: string }) {
  const blocking = host.useAsk();
  if (!blocking) return null;
  return (
    <button type="button" className={className} onClick={() => blocking.ask(person)}>
      Block<span className="visually-hidden"> {person.name}</span>…
    </button>
  );
}

function BlockDialog({ person, onClose }: { person: BlockTarget; onClose: () => void }) {
  const base = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  useModalDialog(dialog, cancelRef, pageHeading);
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const block = useMutation({
    mutationFn: () => api.block(person.id),
    onMutate: () => setError(null),
    onSuccess: () => {
      applyBlockUpdate(queryClient, person.id, true);
      setDone(blockDone(person.name));
    },
    onError: (e) => {
      // Already blocked (on another device, say): the lists catch up.
      if (e instanceof ApiError && e.status === 409) void queryClient.invalidateQueries({ queryKey: blockKeys.mine });
      setError(blockErrorMessage(e, person.name));
    },
  });

  // The confirmation's buttons give way to Close: the focus stays in the dialog, on Close.
  useLayoutEffect(() => {
    if (done) closeRef.current?.focus();
  }, [done]);

  const titleId = `${base}-title`;
  const introId = `${base}-intro`;
  return (
    <dialog
      ref={dialog}
      className="call-dialog block-dialog"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={introId}
      onCancel={(event) => {
        event.preventDefault();
        if (!block.isPending) onClose();
      }}
    >
      <h2 id={titleId}>{done ? `You blocked ${person.name}` : `Block ${person.name}?`}</h2>
      <StatusMessage message={done} />
      {done ? (
        <>
          <p id={introId}>
            You can unblock them at any time under{' '}
            <Link to={BLOCKED_PEOPLE_PATH} onClick={onClose}>
              Settings → Blocked people
            </Link>
            .
          </p>
          <div className="actions">
            <button ref={closeRef} type="button" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <>
          <p id={introId}>Blocking {person.name} takes effect at once, on every device of yours and theirs:</p>
          <ul className="block-consequences">
            {blockConsequences(person.name).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <p>{UNBLOCK_WHERE}</p>
          <FormError message={error} />
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              aria-disabled={block.isPending ? true : undefined}
              onClick={() => {
                if (!block.isPending) block.mutate();
              }}
            >
              {block.isPending ? 'Blocking…' : `Block ${person.name}`}
            </button>
            <button ref={cancelRef} type="button" className="button-secondary" onClick={onClose} disabled={block.isPending}>
              Cancel
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}

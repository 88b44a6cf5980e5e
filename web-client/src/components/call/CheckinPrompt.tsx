// After a call both people joined: a dialog asking how it went (a 1–5 rating and an optional
// note). It opens once the server lists the call among my pending check-ins (the call's record is
// closed a moment after the call screen), and "Not now" leaves it on the Meetings page for later.
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/endpoints';
import { checkinKeys } from '../../api/queryKeys';
import { CheckinForm } from '../meetings/CheckinForm';
import { useModalDialog } from './useModalDialog';

/** How many times the pending check-ins are asked for before giving up on this call. */
const ATTEMPTS = 6;

export function CheckinPrompt({
  call,
  peerName,
  ended,
  onClose,
}: {
  call: string;
  peerName: string;
  /** Why the call ended, in words ("Call ended", "They hung up"). */
  ended: string | null;
  onClose: () => void;
}) {
  const pending = useQuery({ queryKey: checkinKeys.pending, queryFn: () => api.pendingCheckins() });
  const due = pending.data?.calls.includes(call) ?? false;
  const { refetch } = pending;
  // Counted here, not from the shared query's history (the Meetings page fetches it too).
  const [attempts, setAttempts] = useState(0);
  useEffect(() => {
    if (due || attempts >= ATTEMPTS) return;
    const timer = window.setTimeout(() => {
      void refetch();
      setAttempts((n) => n + 1);
    }, 1000);
    return () => window.clearTimeout(timer);
  }, [due, attempts, refetch]);
  const [opened, setOpened] = useState(false);
  if (!opened && due) setOpened(true);
  if (!opened) return null;
  return <CheckinDialog call={call} peerName={peerName} ended={ended} onClose={onClose} />;
}

function CheckinDialog({
  call,
  peerName,
  ended,
  onClose,
}: {
  call: string;
  peerName: string;
  ended: string | null;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  useModalDialog(dialog, title);
  const [thanks, setThanks] = useState<string | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  return (
    <dialog
      ref={dialog}
      className="call-dialog checkin-dialog"
      aria-labelledby="checkin-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {/* Not "Call with …": that names the call screen. */}
      <h2 id="checkin-title" ref={title} tabIndex={-1}>
        Quick check-in after your call
      </h2>
      {ended ? <p className="muted">{ended}.</p> : null}
      {thanks ? (
        <>
          <p className="alert alert-success" role="status">
            {thanks}
          </p>
          <div className="actions">
            <button ref={closeRef} type="button" onClick={onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <CheckinForm
          callId={call}
          legend={`How was your call with ${peerName}?`}
          onDone={(message) => {
            setThanks(message);
            // After the form goes away, focus stays in the dialog, on its way out.
            requestAnimationFrame(() => closeRef.current?.focus());
          }}
          extraActions={
            <button type="button" className="button-secondary" onClick={onClose}>
              Not now
            </button>
          }
        />
      )}
    </dialog>
  );
}

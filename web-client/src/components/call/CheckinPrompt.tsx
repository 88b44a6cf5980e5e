// After a call both people joined: a dialog asking how it went (a 1–5 rating and an optional
// note). It opens once the server lists the call among my pending check-ins (the call's record is
// closed a moment after the call screen), and "Not now" leaves it on the Meetings page for later.
// When my own ratings of calls with this person are falling, the dialog then asks me, and only
// me, whether I would like a coordinator to get in touch ("No thanks" closes it).
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/endpoints';
import { checkinKeys } from '../../api/queryKeys';
import type { SupportOffer } from '../../api/types';
import { CheckinForm } from '../meetings/CheckinForm';
import { SupportOfferPanel } from '../meetings/SupportRequest';
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
  // The private offer after the check-in, until it is answered (then `supportSent`).
  const [offer, setOffer] = useState<SupportOffer | null>(null);
  const [supportSent, setSupportSent] = useState<string | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  // After a form goes away, focus stays in the dialog, on its way out.
  function focusClose() {
    requestAnimationFrame(() => closeRef.current?.focus());
  }

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
          {offer ? (
            // It moves focus to its question when it appears.
            <SupportOfferPanel
              offer={offer}
              level={3}
              onSent={(message) => {
                setOffer(null);
                setSupportSent(message);
                focusClose();
              }}
              onDecline={onClose}
            />
          ) : (
            <>
              {supportSent ? (
                <p className="alert alert-success" role="status">
                  {supportSent}
                </p>
              ) : null}
              <div className="actions">
                <button ref={closeRef} type="button" onClick={onClose}>
                  Close
                </button>
              </div>
            </>
          )}
        </>
      ) : (
        <CheckinForm
          callId={call}
          legend={`How was your call with ${peerName}?`}
          onDone={(message, supportOffer) => {
            setThanks(message);
            setOffer(supportOffer);
            if (!supportOffer) focusClose();
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

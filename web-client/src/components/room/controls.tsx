// Small pieces of the room's controls: a button whose accessible name carries the person it acts
// on ("Bring Ada Lovelace on stage") while it shows the short words ("Bring on stage"), and an
// action that asks first (remove someone, end the event) without a modal dialog.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/** "Bring" + (hidden) " Ada Lovelace" + " on stage": read in full, shown short. */
export function Named({ verb, name, rest }: { verb: string; name: string; rest?: string }) {
  return (
    <>
      {verb}
      <span className="visually-hidden"> {name}</span>
      {rest ? ` ${rest}` : null}
    </>
  );
}

/**
 * A button that, once pressed, shows the question with "Yes" and "Cancel"; Cancel (or Escape)
 * puts the focus back on it, and so does "Yes" unless `focusAfter` says where else.
 */
export function ConfirmAction({
  trigger,
  question,
  confirm,
  onConfirm,
  focusAfter,
  className = 'button-danger button-small',
}: {
  trigger: ReactNode;
  question: string;
  confirm: ReactNode;
  onConfirm: () => void;
  /** Where the focus goes after "Yes" (the trigger's row may be about to go away). */
  focusAfter?: () => void;
  className?: string;
}) {
  const [asking, setAsking] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const yesRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  const questionId = useId();

  useEffect(() => {
    if (asking) yesRef.current?.focus();
    else if (wasAsking.current) triggerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button ref={triggerRef} type="button" className={className} onClick={() => setAsking(true)}>
        {trigger}
      </button>
    );
  }
  return (
    <span
      className="room-confirm"
      role="group"
      aria-labelledby={questionId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          setAsking(false);
        }
      }}
    >
      <span id={questionId} className="room-confirm-question">
        {question}
      </span>
      <button
        ref={yesRef}
        type="button"
        className="button-danger button-small"
        onClick={() => {
          if (focusAfter) wasAsking.current = false;
          setAsking(false);
          onConfirm();
          focusAfter?.();
        }}
      >
        {confirm}
      </button>
      <button type="button" className="button-secondary button-small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

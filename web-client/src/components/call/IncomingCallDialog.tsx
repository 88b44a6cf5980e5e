// A ringing call: an alert dialog with Accept and Decline, and a way to block the caller. Focus
// starts on Accept; Escape declines.
import { useRef } from 'react';
import type { CallController, CallView } from '../../call/controller';
import { useBlocked } from '../../chat/blocks';
import { BlockButton } from '../safety/Blocking';
import { useModalDialog } from './useModalDialog';

export function IncomingCallDialog({ controller, view }: { controller: CallController; view: CallView }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const accept = useRef<HTMLButtonElement>(null);
  useModalDialog(dialog, accept);
  const name = view.ui.peer?.name ?? 'Someone';
  const accepting = view.ui.accepting;
  const peer = view.ui.peer;
  const blocked = useBlocked();
  return (
    <dialog
      ref={dialog}
      className="call-dialog"
      role="alertdialog"
      aria-labelledby="incoming-call-title"
      aria-describedby="incoming-call-text"
      onCancel={(event) => {
        event.preventDefault();
        controller.decline();
      }}
    >
      <h2 id="incoming-call-title">Incoming video call</h2>
      <p id="incoming-call-text">{name} is calling you.</p>
      <p className="muted call-dialog-status" role="status">
        {accepting ? 'Starting your camera and microphone…' : ''}
      </p>
      <div className="actions">
        <button
          ref={accept}
          type="button"
          aria-disabled={accepting ? true : undefined}
          onClick={() => {
            if (!accepting) void controller.accept();
          }}
        >
          Accept
        </button>
        <button type="button" className="button-danger" onClick={() => controller.decline()}>
          Decline
        </button>
        {peer && blocked.ready && !blocked.ids.has(peer.id) ? (
          <BlockButton person={{ id: peer.id, name: peer.name }} />
        ) : null}
      </div>
    </dialog>
  );
}

// One message in a conversation: who, when, the text (always as text, newlines kept), an
// "edited" mark or the tombstone of a deleted message, for one's own messages Edit (while the
// conversation takes messages) and Delete, and for someone else's what the conversation offers
// about it and its author (Report; Block, in a group channel). Writes not yet stored show their
// state ("Sending…") and, when refused, why, in the server's words, with Retry and Discard (and,
// when the refusal is the code of conduct's, a way to it).
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { bodyProblem } from '../../chat/protocol';
import { fullTime, messageTime } from '../../chat/format';
import type { Message } from '../../chat/messages';
import type { PendingOp } from '../../chat/pending';
import { isConductRefusal } from '../../lib/conduct';
import { tombstoneText } from '../../lib/moderation';
import { focusConductPrompt } from '../safety/ConductPrompt';
import { isSendKey } from './Composer';

function Meta({ sender, at, edited }: { sender: string; at: string; edited: boolean }) {
  return (
    <p className="message-meta">
      <span className="message-sender">{sender}</span>{' '}
      <time dateTime={at} title={fullTime(at)}>
        {messageTime(at)}
      </time>
      {edited ? <span className="message-edited"> (edited)</span> : null}
    </p>
  );
}

function pendingLabel(op: PendingOp, connected: boolean): string {
  if (op.status === 'queued' && !connected) return 'Waiting for the connection…';
  if (op.kind === 'edit') return 'Saving…';
  if (op.kind === 'delete') return 'Deleting…';
  return 'Sending…';
}

function FailedOp({
  op,
  what,
  onRetry,
  onDiscard,
}: {
  op: PendingOp;
  what: string;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  return (
    <div className="message-failed">
      <p className="message-error">
        {what}: {op.error ?? 'refused.'}
      </p>
      <div className="message-actions">
        {isConductRefusal(op.error) ? (
          <button type="button" className="button-secondary button-small" onClick={() => focusConductPrompt()}>
            Read the code of conduct
          </button>
        ) : null}
        <button type="button" className="button-secondary button-small" onClick={onRetry}>
          Retry<span className="visually-hidden"> {what.toLowerCase()}</span>
        </button>
        <button type="button" className="button-secondary button-small" onClick={onDiscard}>
          Discard<span className="visually-hidden"> {what.toLowerCase()}</span>
        </button>
      </div>
    </div>
  );
}

function EditForm({
  initial,
  onSave,
  onCancel,
}: {
  initial: string;
  onSave: (body: string) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  function save() {
    const problem = bodyProblem(text);
    if (problem) {
      setError(problem);
      ref.current?.focus();
      return;
    }
    if (text === initial) onCancel();
    else onSave(text);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    } else if (isSendKey(event)) {
      event.preventDefault();
      save();
    }
  }

  return (
    <form
      className="message-edit"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        Edit your message
      </label>
      <textarea
        id={id}
        ref={ref}
        rows={3}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setError(null);
        }}
        onKeyDown={onKeyDown}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
      />
      <p className="field-hint" id={`${id}-hint`}>
        Enter to save, Escape to cancel.
      </p>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <div className="message-actions">
        <button type="submit" className="button-small">
          Save
        </button>
        <button type="button" className="button-secondary button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export interface MessageItemProps {
  message: Message;
  sender: string;
  mine: boolean;
  /** My own message can be edited (the conversation takes messages); it can always be deleted. */
  canEdit: boolean;
  /** Someone else's message: what can be done about it and its author (Report, Block). */
  senderTools?: ReactNode;
  connected: boolean;
  /** An edit or delete of this message not yet stored. */
  pendingOp: PendingOp | null;
  editing: boolean;
  /** Move focus to the Edit button (after an edit closes). */
  focusEdit: boolean;
  seen: string | null;
  onStartEdit: () => void;
  onCancelEdit: () => void;
  onSaveEdit: (body: string) => void;
  onDelete: () => void;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  onFocused: () => void;
}

export function MessageItem(props: MessageItemProps) {
  const { message, sender, mine, pendingOp, editing } = props;
  const editRef = useRef<HTMLButtonElement>(null);
  const { focusEdit, onFocused } = props;
  useEffect(() => {
    if (focusEdit && editRef.current) {
      editRef.current.focus();
      onFocused();
    }
  }, [focusEdit, onFocused]);

  const deleted = Boolean(message.deleted_at);
  const at = messageTime(message.created_at);
  const pendingEdit = pendingOp && pendingOp.kind === 'edit' && pendingOp.status !== 'failed' ? pendingOp : null;
  const pendingDelete = pendingOp && pendingOp.kind === 'delete' && pendingOp.status !== 'failed' ? pendingOp : null;
  const failed = pendingOp && pendingOp.status === 'failed' ? pendingOp : null;
  const body = pendingEdit ? pendingEdit.body : message.body;
  const classes = ['message', mine ? 'message-mine' : 'message-theirs', deleted ? 'message-deleted' : '']
    .filter(Boolean)
    .join(' ');

  const actions =
    // Kept while an edit is saving, so focus can return to Edit after the edit box closes.
    mine && !deleted && !editing && !pendingDelete ? (
      <div className="message-tools">
        {props.canEdit || pendingEdit ? (
          <button ref={editRef} type="button" className="message-tool" onClick={props.onStartEdit}>
            Edit<span className="visually-hidden"> your message from {at}</span>
          </button>
        ) : null}
        <button type="button" className="message-tool message-tool-danger" onClick={props.onDelete}>
          Delete<span className="visually-hidden"> your message from {at}</span>
        </button>
      </div>
    ) : !mine && props.senderTools ? (
      <div className="message-tools">{props.senderTools}</div>
    ) : null;

  return (
    <li className={classes} data-seq={message.seq}>
      <div className="message-head">
        <Meta
          sender={sender}
          at={message.created_at}
          edited={!deleted && (Boolean(message.edited_at) || Boolean(pendingEdit))}
        />
        {actions}
      </div>
      {deleted ? (
        <p className="message-tombstone">{tombstoneText(message.removed_by_coordinator)}</p>
      ) : editing ? (
        <EditForm initial={body} onSave={props.onSaveEdit} onCancel={props.onCancelEdit} />
      ) : (
        <p className="message-body">{body}</p>
      )}
      {pendingEdit || pendingDelete ? (
        <p className="message-status">{pendingLabel((pendingEdit ?? pendingDelete) as PendingOp, props.connected)}</p>
      ) : null}
      {failed ? (
        <FailedOp
          op={failed}
          what={failed.kind === 'edit' ? 'Edit not saved' : 'Not deleted'}
          onRetry={() => props.onRetry(failed.client_id)}
          onDiscard={() => props.onDiscard(failed.client_id)}
        />
      ) : null}
      {props.seen ? <p className="message-seen">{props.seen}</p> : null}
    </li>
  );
}

/** A message being sent: shown at the end of the conversation until it is stored. */
export function PendingItem({
  op,
  connected,
  onRetry,
  onDiscard,
}: {
  op: PendingOp;
  connected: boolean;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}) {
  return (
    <li className="message message-mine message-pending">
      <Meta sender="You" at={op.created_at} edited={false} />
      <p className="message-body">{op.body}</p>
      {op.status === 'failed' ? (
        <FailedOp
          op={op}
          what="Not sent"
          onRetry={() => onRetry(op.client_id)}
          onDiscard={() => onDiscard(op.client_id)}
        />
      ) : (
        <p className="message-status">{pendingLabel(op, connected)}</p>
      )}
    </li>
  );
}

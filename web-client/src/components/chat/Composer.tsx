// Writing a message: a labelled textarea where Enter sends and Shift+Enter starts a new line,
// with the length against the 4000-character limit. Messages written while offline are
// queued and go out when the connection is back.
import { forwardRef, useId, useImperativeHandle, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { bodyLength, bodyProblem, MAX_MESSAGE_CHARS } from '../../chat/protocol';

export interface ComposerHandle {
  focus(): void;
}

/** True for the key press that should submit: Enter without Shift, not while composing text (IME). */
export function isSendKey(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
  return event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.nativeEvent.isComposing;
}

export const Composer = forwardRef<
  ComposerHandle,
  { onSend: (body: string) => void; onTyping: () => void; recipient: string }
>(function Composer({ onSend, onTyping, recipient }, ref) {
  const id = useId();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useImperativeHandle(ref, () => ({ focus: () => textRef.current?.focus() }), []);

  const length = bodyLength(text);
  const tooLong = length > MAX_MESSAGE_CHARS;

  function submit() {
    const problem = bodyProblem(text);
    if (problem) {
      setError(problem);
      textRef.current?.focus();
      return;
    }
    onSend(text);
    setText('');
    setError(null);
    textRef.current?.focus();
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (isSendKey(event)) {
      event.preventDefault();
      submit();
    }
  }

  const describedBy = [`${id}-hint`, `${id}-count`, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <form className="composer" onSubmit={onSubmit} noValidate aria-label={`Write to ${recipient}`}>
      <label htmlFor={id}>Message</label>
      <textarea
        id={id}
        ref={textRef}
        rows={3}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (error) setError(null);
          if (e.target.value.trim() !== '') onTyping();
        }}
        onKeyDown={onKeyDown}
        aria-invalid={error || tooLong ? true : undefined}
        aria-describedby={describedBy}
      />
      <div className="composer-info">
        <p className="field-hint" id={`${id}-hint`}>
          Enter to send, Shift+Enter for a new line.
        </p>
        <p className={tooLong ? 'char-count char-count-over' : 'char-count'} id={`${id}-count`}>
          {length} / {MAX_MESSAGE_CHARS}
          <span className="visually-hidden"> characters</span>
        </p>
      </div>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <div className="actions composer-actions">
        <button type="submit">Send</button>
      </div>
    </form>
  );
});

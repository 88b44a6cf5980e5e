// A read-only value (an invitation link, a token secret) with a Copy button.
import { useId, useRef, useState } from 'react';

export function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);

  async function copy() {
    try {
      // The Clipboard API needs a secure context; fall back to selecting the text.
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(value);
        setCopied('Copied.');
        return;
      }
    } catch {
      // fall through to selection
    }
    inputRef.current?.select();
    setCopied('Selected: press Ctrl+C (or ⌘C) to copy.');
  }

  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <div className="copy-row">
        <input
          id={id}
          ref={inputRef}
          readOnly
          value={value}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button-secondary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" className="copy-status">
        {copied ?? ''}
      </p>
    </div>
  );
}

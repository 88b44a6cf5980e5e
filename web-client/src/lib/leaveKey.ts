// One key to leave (docs/safety.md): Shift+Escape hangs up a 1:1 call or leaves a live event room
// at once, from anywhere on the page. Plain Escape keeps its own meaning (closing a menu or a
// dialog, cancelling an edit).
import { useEffect, useRef } from 'react';

/** What the call and room screens say about it. */
export const LEAVE_KEY_TEXT = 'Shift+Esc leaves';

/** The key press that leaves: Shift+Escape, without Ctrl, Alt or Meta, and not while composing text. */
export function isLeaveKey(event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'altKey' | 'metaKey' | 'isComposing'>): boolean {
  return event.key === 'Escape' && event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing;
}

/** While `active`, Shift+Escape anywhere on the page calls `leave` (and does nothing else). */
export function useLeaveKey(active: boolean, leave: () => void): void {
  const latest = useRef(leave);
  latest.current = leave;
  useEffect(() => {
    if (!active) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (!isLeaveKey(event)) return;
      event.preventDefault();
      event.stopPropagation();
      latest.current();
    };
    // Captured on the window, so that nothing focused (a text field, a dialog) keeps it.
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [active]);
}

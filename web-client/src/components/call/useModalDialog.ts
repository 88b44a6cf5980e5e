// A native <dialog> shown as a modal while the component is mounted: the rest of the page is
// inert, focus moves into it, and goes back where it was when it closes. When that element is
// gone by then (the dialog's action removed it), focus goes to `fallbackFocus`, if given.
import { useLayoutEffect, type RefObject } from 'react';

export function useModalDialog(
  dialog: RefObject<HTMLDialogElement | null>,
  initialFocus: RefObject<HTMLElement | null>,
  fallbackFocus?: () => HTMLElement | null,
): void {
  useLayoutEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!element.open) {
      try {
        element.showModal();
      } catch {
        element.setAttribute('open', '');
      }
    }
    initialFocus.current?.focus();
    return () => {
      if (element.open) element.close();
      if (previous && previous.isConnected) previous.focus({ preventScroll: true });
      else fallbackFocus?.()?.focus({ preventScroll: true });
    };
    // Shown once per mount.
  }, []);
}

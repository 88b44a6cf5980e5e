// The skeleton the page-wide safety dialogs share (block, report, moderate): a provider held by
// the signed-in frame (Layout) so that a dialog outlives what opened it, a context whose `ask`
// opens a fresh dialog for each request (even for the same thing), and where focus goes when the
// button that opened it is gone.
import { createContext, Fragment, useCallback, useContext, useMemo, useState, type Context, type ReactNode } from 'react';

/** Opens the host's dialog for `target`. */
export interface DialogAsk<T> {
  ask(target: T): void;
}

/** Where focus goes when the button that opened a dialog is gone: the page's heading. */
export function pageHeading(): HTMLElement | null {
  return document.querySelector<HTMLElement>('main h1') ?? document.querySelector<HTMLElement>('main');
}

/**
 * A provider and its hook for a dialog about a `T`: `render(target, onClose)` draws the dialog
 * while one is asked for. `useAsk()` is null outside the provider (buttons then show nothing).
 */
export function dialogHost<T>(
  render: (target: T, onClose: () => void) => ReactNode,
): { Provider: (props: { children: ReactNode }) => ReactNode; useAsk: () => DialogAsk<T> | null } {
  const HostContext: Context<DialogAsk<T> | null> = createContext<DialogAsk<T> | null>(null);
  function Provider({ children }: { children: ReactNode }) {
    const [target, setTarget] = useState<{ value: T } | null>(null);
    // A new dialog for each request, even for the same thing.
    const [opened, setOpened] = useState(0);
    const ask = useCallback((value: T) => {
      setTarget({ value });
      setOpened((n) => n + 1);
    }, []);
    const close = useCallback(() => setTarget(null), []);
    const value = useMemo(() => ({ ask }), [ask]);
    return (
      <HostContext.Provider value={value}>
        {children}
        {target ? <Fragment key={opened}>{render(target.value, close)}</Fragment> : null}
      </HostContext.Provider>
    );
  }
  return { Provider, useAsk: () => useContext(HostContext) };
}

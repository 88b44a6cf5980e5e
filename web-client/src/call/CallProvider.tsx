// One call controller per signed-in page, on the page's chat connection. Components read the call
// with `useCall`. For tests and diagnostics the current RTCPeerConnection is reachable, read-only,
// as `window.__kindredCall.pc`.
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useChat } from '../chat/ChatProvider';
import { CallController, type CallView } from './controller';
import { findPeer } from './peers';
import { IDLE } from './state';

const CallContext = createContext<CallController | null>(null);

declare global {
  interface Window {
    /** Read-only debug handle on the current call. */
    readonly __kindredCall?: { readonly pc: RTCPeerConnection | null; readonly phase: string };
  }
}

function exposeDebugHandle(controller: CallController): void {
  const handle = Object.freeze({
    get pc() {
      return controller.peerConnection as RTCPeerConnection | null;
    },
    get phase() {
      return controller.getView().ui.phase;
    },
  });
  Object.defineProperty(window, '__kindredCall', { value: handle, configurable: true, enumerable: false, writable: false });
}

export function CallProvider({ children }: { children: ReactNode }) {
  const { client } = useChat();
  const [controller, setController] = useState<CallController | null>(null);

  useEffect(() => {
    if (!client) return;
    const next = new CallController(client, (userId) => findPeer(client.getState(), userId));
    setController(next);
    exposeDebugHandle(next);
    // Closing or reloading the page ends a call it takes part in, rather than leaving it open.
    const leave = () => next.leave();
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      next.dispose();
      setController((current) => (current === next ? null : current));
    };
  }, [client]);

  return <CallContext.Provider value={controller}>{children}</CallContext.Provider>;
}

const EMPTY_VIEW: CallView = {
  ui: IDLE,
  localStream: null,
  remoteStream: null,
  hasMicrophone: false,
  hasCamera: false,
  micMuted: false,
  cameraOff: false,
  sharing: false,
  canShare: false,
  microphones: [],
  cameras: [],
  microphoneId: null,
  cameraId: null,
  mediaNotice: null,
  quality: null,
};

function noSubscription(): () => void {
  return () => {};
}

function emptyView(): CallView {
  return EMPTY_VIEW;
}

/** The call controller and what the call screen shows (null controller when signed out). */
export function useCall(): { controller: CallController | null; view: CallView } {
  const controller = useContext(CallContext);
  const view = useSyncExternalStore(controller?.subscribe ?? noSubscription, controller?.getView ?? emptyView);
  return { controller, view };
}

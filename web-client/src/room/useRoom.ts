// The live room of one event for as long as its page is open, on the page's chat connection.
// Leaving the page (another route, closing or reloading the tab) leaves the room, rather than
// leaving the camera on. For tests and diagnostics the room's peer connections are reachable,
// read-only, as `window.__kindredRoom`.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useChat } from '../chat/ChatProvider';
import { RoomController, type RoomView } from './controller';
import { initialRoom } from './state';

declare global {
  interface Window {
    /** Read-only debug handle on the live room of the open event page. */
    readonly __kindredRoom?: {
      readonly subscribe: RTCPeerConnection | null;
      readonly publish: RTCPeerConnection | null;
      readonly phase: string;
    };
  }
}

function exposeDebugHandle(controller: RoomController): void {
  const handle = Object.freeze({
    get subscribe() {
      return controller.peerConnections.subscribe as RTCPeerConnection | null;
    },
    get publish() {
      return controller.peerConnections.publish as RTCPeerConnection | null;
    },
    get phase() {
      return controller.getView().ui.phase;
    },
  });
  Object.defineProperty(window, '__kindredRoom', { value: handle, configurable: true, enumerable: false, writable: false });
}

function noSubscription(): () => void {
  return () => {};
}

const idleViews = new Map<string, RoomView>();

function idleView(event: string): RoomView {
  let view = idleViews.get(event);
  if (!view) {
    view = {
      ui: initialRoom(event),
      received: new Map(),
      localStream: null,
      screenStream: null,
      publishing: false,
      openingMedia: false,
      publishFailed: false,
      hasMicrophone: false,
      hasCamera: false,
      micMuted: false,
      cameraOff: false,
      sharing: false,
      canShare: false,
      mediaNotice: null,
    };
    idleViews.set(event, view);
  }
  return view;
}

/** The room controller of `event` and what the room view shows (null controller when signed out). */
export function useRoom(event: string): { controller: RoomController | null; view: RoomView } {
  const { client } = useChat();
  const [controller, setController] = useState<RoomController | null>(null);

  useEffect(() => {
    if (!client || !event) return;
    const next = new RoomController(client, event);
    setController(next);
    exposeDebugHandle(next);
    const leave = () => next.leave();
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      next.dispose();
      setController((current) => (current === next ? null : current));
    };
  }, [client, event]);

  const current = controller && controller.event === event ? controller : null;
  const view = useSyncExternalStore(current?.subscribe ?? noSubscription, current?.getView ?? (() => idleView(event)));
  return { controller: current, view };
}

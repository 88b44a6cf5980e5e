// Calls on every page: the ringing dialog, the call screen, and a short note when a call ends
// ("No answer", "Declined", "They are offline"…), announced politely; after a call that was
// connected, the check-in dialog.
import { useEffect, useRef, useState } from 'react';
import { useCall } from '../../call/CallProvider';
import { CallScreen } from './CallScreen';
import { CheckinPrompt } from './CheckinPrompt';
import { IncomingCallDialog } from './IncomingCallDialog';

export function CallLayer() {
  const { controller, view } = useCall();
  const ui = view.ui;
  // Calls this tab was in once connected: only those can be rated (both joined).
  const connected = useRef(new Set<string>());
  const [checkin, setCheckin] = useState<{ call: string; peer: string; ended: string | null } | null>(null);
  useEffect(() => {
    if (!ui.call) return;
    if (ui.phase === 'in_call' && ui.joined) connected.current.add(ui.call);
    if (ui.phase === 'ended' && connected.current.delete(ui.call)) {
      setCheckin({ call: ui.call, peer: ui.peer?.name ?? 'your match', ended: ui.ended?.message ?? null });
    }
  }, [ui.phase, ui.call, ui.joined, ui.peer, ui.ended]);

  if (!controller) return null;
  const ended = ui.phase === 'ended' && ui.ended ? ui.ended : null;
  const showScreen = ui.joined && (ui.phase === 'outgoing' || ui.phase === 'connecting' || ui.phase === 'in_call');
  return (
    <>
      {ui.phase === 'incoming' ? <IncomingCallDialog key={ui.call} controller={controller} view={view} /> : null}
      {showScreen ? <CallScreen key="call" controller={controller} view={view} /> : null}
      {checkin && !showScreen && ui.phase !== 'incoming' ? (
        <CheckinPrompt
          key={checkin.call}
          call={checkin.call}
          peerName={checkin.peer}
          ended={checkin.ended}
          onClose={() => setCheckin(null)}
        />
      ) : null}
      <div className={ended ? 'call-toast call-toast-shown' : 'call-toast'}>
        <p className="call-toast-text" role="status">
          {ended ? `Call with ${ui.peer?.name ?? 'your match'}: ${ended.message}` : ''}
        </p>
        {ended ? (
          <button type="button" className="button-link" onClick={() => controller.dismiss()}>
            Dismiss
          </button>
        ) : null}
      </div>
    </>
  );
}

// Calls on every page: the ringing dialog, the call screen, and a short note when a call ends
// ("No answer", "Declined", "They are offline"…), announced politely.
import { useCall } from '../../call/CallProvider';
import { CallScreen } from './CallScreen';
import { IncomingCallDialog } from './IncomingCallDialog';

export function CallLayer() {
  const { controller, view } = useCall();
  if (!controller) return null;
  const ui = view.ui;
  const ended = ui.phase === 'ended' && ui.ended ? ui.ended : null;
  const showScreen = ui.joined && (ui.phase === 'outgoing' || ui.phase === 'connecting' || ui.phase === 'in_call');
  return (
    <>
      {ui.phase === 'incoming' ? <IncomingCallDialog key={ui.call} controller={controller} view={view} /> : null}
      {showScreen ? <CallScreen key="call" controller={controller} view={view} /> : null}
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

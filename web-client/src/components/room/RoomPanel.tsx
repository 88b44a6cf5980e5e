// The live room on an event's page: the Join button, the lobby ("Waiting for the host to let you
// in"), and once admitted the stage, my controls, the host's controls, who is here and the
// event's chat beside them. What happens is said in a polite status region; refusals and the
// reasons for being out of the room in alerts. When the view changes under the keyboard focus
// (joined, admitted, out), the focus goes to the room's heading rather than to the page's top.
import { useEffect, useRef } from 'react';
import type { GroupEvent } from '../../api/events';
import { useChannel, useChat } from '../../chat/ChatProvider';
import type { ChatClient } from '../../chat/client';
import type { ChatState } from '../../chat/state';
import { isCancelled } from '../../lib/events';
import { formatInZone } from '../../lib/zoned';
import { roomAvailability } from '../../room/availability';
import type { RoomController, RoomView } from '../../room/controller';
import { isHost, isOnStage, type RoomUi } from '../../room/state';
import { useRoom } from '../../room/useRoom';
import { ChannelLoadFailed } from '../chat/ChannelLoadFailed';
import { Conversation } from '../chat/Conversation';
import { Loading } from '../Page';
import { HostControls, People } from './People';
import { LEAVE_KEY_TEXT, useLeaveKey } from '../../lib/leaveKey';
import { Stage } from './Stage';

function statusText(ui: RoomUi, connected: boolean): string {
  // The room lives on the chat connection: without it nothing moves until it is back.
  if (ui.phase !== 'idle' && !connected) return 'The connection to Kindred was lost: reconnecting…';
  switch (ui.phase) {
    case 'idle':
      return ui.left?.reason === 'left' ? ui.left.message : '';
    case 'joining':
      return ui.rejoining ? 'Joining the live room again…' : 'Joining the live room…';
    case 'lobby':
      return 'Waiting for the host to let you in.';
    case 'live': {
      const where = isOnStage(ui.you) ? 'on stage' : 'in the audience';
      if (ui.status === 'lobby') return `You are in the room, ${where}. It is not open to the others yet.`;
      return `You are in the live room, ${where}.`;
    }
  }
}

export function RoomPanel({ event, now, zone }: { event: GroupEvent; now: number; zone: string }) {
  const { controller, view } = useRoom(event.id);
  const { client, state } = useChat();
  const ui = view.ui;
  const heading = useRef<HTMLHeadingElement>(null);
  const lastPhase = useRef(ui.phase);
  // One key to leave: Shift+Escape, from anywhere on the page, while in the room or its lobby.
  const inRoom = controller !== null && ui.phase !== 'idle';
  useLeaveKey(inRoom, () => controller?.leave());

  useEffect(() => {
    if (lastPhase.current === ui.phase) return;
    lastPhase.current = ui.phase;
    // The control that had the focus (Join, Leave, a host control) went away with the view.
    if (document.activeElement === document.body || document.activeElement === null) heading.current?.focus();
  }, [ui.phase]);

  if (isCancelled(event)) return null;

  return (
    <section aria-labelledby="event-room" className="card room">
      <h2 id="event-room" ref={heading} tabIndex={-1}>
        Live room
      </h2>
      <p role="status" aria-live="polite" className="room-status">
        {statusText(ui, state.status === 'connected')}
      </p>
      {inRoom ? <p className="field-hint room-leave-hint">{LEAVE_KEY_TEXT}: Shift+Escape leaves the room from anywhere on the page.</p> : null}
      {ui.error ? (
        <div className="alert alert-error room-alert" role="alert">
          {ui.error.message}{' '}
          {ui.phase !== 'idle' ? (
            <button type="button" className="button-link" onClick={() => controller?.dismiss()}>
              Dismiss
            </button>
          ) : null}
        </div>
      ) : null}
      {ui.left && ui.left.reason !== 'left' ? (
        <div className="alert alert-info room-alert" role="alert">
          {ui.left.message}
        </div>
      ) : null}
      {ui.phase === 'idle' || !controller ? (
        <Outside
          event={event}
          ui={ui}
          controller={controller}
          connected={state.status === 'connected'}
          now={now}
          zone={zone}
          me={state.userId}
        />
      ) : ui.phase === 'joining' ? (
        <p>
          <button type="button" className="button-secondary" onClick={() => controller.leave()}>
            Cancel joining
          </button>
        </p>
      ) : (
        <div className={event.chat_channel ? 'room-layout room-with-chat' : 'room-layout'}>
          <div className="room-main">
            {ui.phase === 'lobby' ? (
              <div className="room-lobby">
                <p>The host lets people in when the event starts. You can keep this page open meanwhile.</p>
                <p>
                  <button
                    type="button"
                    className="button-danger"
                    aria-keyshortcuts="Shift+Escape"
                    onClick={() => controller.leave()}
                  >
                    Leave the lobby
                  </button>
                </p>
              </div>
            ) : (
              <>
                <Stage view={view} />
                <SelfControls ui={ui} view={view} controller={controller} />
                {isHost(ui) ? <HostControls ui={ui} controller={controller} /> : null}
                <People ui={ui} controller={controller} event={event} />
              </>
            )}
          </div>
          {event.chat_channel ? <EventChat channelId={event.chat_channel} client={client} state={state} /> : null}
        </div>
      )}
    </section>
  );
}

/** Before joining, or after leaving: the Join button, or why there is none. */
function Outside({
  event,
  ui,
  controller,
  connected,
  now,
  zone,
  me,
}: {
  event: GroupEvent;
  ui: RoomUi;
  controller: RoomController | null;
  connected: boolean;
  now: number;
  zone: string;
  me: string | null;
}) {
  const removed = ui.left?.reason === 'removed' || ui.error?.code === 'removed';
  const ended = ui.status === 'ended' || ui.left?.reason === 'ended';
  // Ended (or removed) while on this page: the alert above says so.
  if (removed || ended) return null;
  const availability = roomAvailability(event, now);
  // Opened after the end (a reload, a reminder's link): the server would refuse a join.
  if (availability.kind === 'ended') return <p>The event has ended.</p>;
  if (availability.kind === 'closed') return <p>The event is over: its live room has closed.</p>;
  const role =
    me && event.host.user_id === me
      ? 'You host this event: you open the room, let people in and bring them on stage.'
      : me && event.speakers.some((s) => s.user_id === me)
        ? 'You speak at this event: you start on stage, with your camera and microphone.'
        : 'You join in the audience, and can raise your hand to be brought on stage.';
  if (availability.kind === 'not_yet') {
    return (
      <p>
        The live room opens 30 minutes before the start, at {formatInZone(availability.opensAt, zone)}. {role}
      </p>
    );
  }
  return (
    <>
      <p>{role}</p>
      <p className="actions">
        <button type="button" disabled={!connected || !controller} onClick={() => controller?.join()}>
          {ui.left?.reason === 'elsewhere' ? 'Join the live room here' : 'Join the live room'}
        </button>
        {!connected ? <span className="muted">Connecting…</span> : null}
      </p>
    </>
  );
}

/** My own controls: microphone, camera, screen, hand, and Leave. */
function SelfControls({ ui, view, controller }: { ui: RoomUi; view: RoomView; controller: RoomController }) {
  const onStage = isOnStage(ui.you);
  return (
    <div className="room-self">
      <div className="room-controls" role="group" aria-label="Your controls">
        {onStage && view.publishing ? (
          <>
            <button
              type="button"
              className="button-secondary"
              disabled={!view.hasMicrophone}
              onClick={() => controller.toggleMicrophone()}
            >
              {view.micMuted ? 'Unmute my microphone' : 'Mute my microphone'}
            </button>
            <button type="button" className="button-secondary" disabled={!view.hasCamera} onClick={() => controller.toggleCamera()}>
              {view.cameraOff ? 'Turn on my camera' : 'Turn off my camera'}
            </button>
            {view.canShare ? (
              <button
                type="button"
                className="button-secondary"
                onClick={() => void (view.sharing ? controller.stopSharing() : controller.shareScreen())}
              >
                {view.sharing ? 'Stop sharing my screen' : 'Share my screen'}
              </button>
            ) : null}
          </>
        ) : null}
        {ui.you?.role === 'audience' ? (
          <button type="button" className="button-secondary" onClick={() => controller.raiseHand(!ui.you?.hand)}>
            {ui.you.hand ? 'Lower my hand' : 'Raise my hand'}
          </button>
        ) : null}
        <button
          type="button"
          className="button-danger room-leave"
          aria-keyshortcuts="Shift+Escape"
          onClick={() => controller.leave()}
        >
          Leave the room
        </button>
      </div>
      {view.openingMedia ? <Loading label="Opening your camera and microphone…" /> : null}
      {ui.you?.muted ? (
        <p className="alert alert-warning">The host muted you: nobody hears you until the host unmutes you.</p>
      ) : null}
      {ui.you?.hand ? <p className="muted">Your hand is raised: the host can bring you on stage.</p> : null}
      {view.mediaNotice ? (
        <div className="alert alert-error" role="alert">
          {view.mediaNotice}{' '}
          {view.publishFailed ? (
            <button type="button" className="button-link" onClick={() => controller.retryPublishing()}>
              Try again
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** The event's chat (its members are the people invited), beside the stage. */
function EventChat({ channelId, client, state }: { channelId: string; client: ChatClient | null; state: ChatState }) {
  // A program-wide event's chat is one of many channels: it may not be among those loaded.
  const found = useChannel(client, state, channelId);
  return (
    <section className="room-chat" aria-labelledby="room-chat-heading">
      <h3 id="room-chat-heading">Event chat</h3>
      {found.status === 'ready' && client ? (
        <Conversation key={found.channel.id} client={client} state={state} channel={found.channel} />
      ) : found.status === 'not_found' ? (
        <p className="muted">The event’s chat is not available to you.</p>
      ) : found.status === 'failed' ? (
        <ChannelLoadFailed client={client} channelId={channelId} error={found.error} />
      ) : (
        <Loading label="Loading the chat…" />
      )}
    </section>
  );
}

// The call: the other person's video, my own preview (muted), the controls (microphone, camera,
// screen sharing, devices), the connection's quality in words, and Hang up. A modal dialog over
// the page; Escape does not end the call (Hang up does, and Shift+Escape from anywhere on the
// page, as the screen says). The other person can be blocked from here (which also ends the call).
import { useEffect, useRef } from 'react';
import type { CallController, CallView } from '../../call/controller';
import { qualityDetails, qualityLabel } from '../../call/quality';
import { useBlocked } from '../../chat/blocks';
import { BlockButton } from '../safety/Blocking';
import { useModalDialog } from './useModalDialog';
import { LEAVE_KEY_TEXT, useLeaveKey } from '../../lib/leaveKey';

function Video({ stream, muted, className }: { stream: MediaStream | null; muted: boolean; className: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.muted = muted;
    if (video.srcObject !== stream) video.srcObject = stream;
    if (stream) video.play().catch(() => {
      // Autoplay refused (no gesture yet); the picture starts on the next interaction.
    });
  }, [stream, muted]);
  return <video ref={ref} className={className} playsInline muted={muted} />;
}

function statusText(view: CallView, name: string): string {
  const ui = view.ui;
  switch (ui.phase) {
    case 'outgoing':
      return ui.ringing ? `Ringing ${name}…` : `Calling ${name}…`;
    case 'connecting':
      return 'Connecting…';
    case 'in_call':
      return ui.reconnecting ? 'Connection lost, reconnecting…' : 'Connected';
    default:
      return '';
  }
}

export function CallScreen({ controller, view }: { controller: CallController; view: CallView }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  useModalDialog(dialog, title);
  const name = view.ui.peer?.name ?? 'your match';
  const answered = view.ui.phase === 'connecting' || view.ui.phase === 'in_call';
  const quality = view.quality;
  const peer = view.ui.peer;
  const blocked = useBlocked();
  useLeaveKey(true, () => controller.hangUp());

  return (
    <dialog
      ref={dialog}
      className="call-screen"
      aria-labelledby="call-title"
      onCancel={(event) => event.preventDefault()}
    >
      <div className="call-head">
        <h2 id="call-title" ref={title} tabIndex={-1}>
          Call with {name}
        </h2>
        <p className="call-status" role="status">
          {statusText(view, name)}
        </p>
      </div>
      <div className="call-videos">
        <figure className="call-figure call-remote">
          <Video stream={view.remoteStream} muted={false} className="call-video" />
          <figcaption>{view.remoteStream ? name : `${name}’s video will show here`}</figcaption>
        </figure>
        <figure className="call-figure call-self">
          <Video stream={view.localStream} muted className="call-video call-video-self" />
          <figcaption>
            You{view.sharing ? ' (sharing your screen)' : view.cameraOff || !view.hasCamera ? ' (camera off)' : ''}
            {view.micMuted ? ', muted' : ''}
          </figcaption>
        </figure>
      </div>
      {view.mediaNotice ? (
        <p className="alert alert-error call-notice" role="alert">
          {view.mediaNotice}
        </p>
      ) : null}
      {answered ? (
        <p className="call-quality">
          Connection quality: <strong>{qualityLabel(quality?.quality ?? null)}</strong>
          {quality && qualityDetails(quality) ? <span className="muted"> ({qualityDetails(quality)})</span> : null}
        </p>
      ) : null}
      <div className="call-controls" role="group" aria-label="Call controls">
        <button
          type="button"
          className="button-secondary call-toggle"
          aria-pressed={view.micMuted}
          disabled={!view.hasMicrophone}
          onClick={() => controller.toggleMicrophone()}
        >
          Mute
        </button>
        <button
          type="button"
          className="button-secondary call-toggle"
          aria-pressed={view.cameraOff}
          disabled={!view.hasCamera}
          onClick={() => controller.toggleCamera()}
        >
          Camera off
        </button>
        {view.canShare && answered ? (
          <button
            type="button"
            className="button-secondary"
            onClick={() => void (view.sharing ? controller.stopSharing() : controller.shareScreen())}
          >
            {view.sharing ? 'Stop sharing' : 'Share screen'}
          </button>
        ) : null}
        <button
          type="button"
          className="button-danger call-hang-up"
          aria-keyshortcuts="Shift+Escape"
          onClick={() => controller.hangUp()}
        >
          Hang up
        </button>
      </div>
      <p className="call-leave-hint field-hint">{LEAVE_KEY_TEXT}: Shift+Escape hangs up from anywhere on the page.</p>
      {peer && blocked.ready && !blocked.ids.has(peer.id) ? (
        <p className="call-safety">
          <BlockButton person={{ id: peer.id, name: peer.name }} />
        </p>
      ) : null}
      {view.microphones.length > 0 || view.cameras.length > 0 ? (
        <div className="call-devices">
          <DeviceSelect
            id="call-microphone"
            label="Microphone"
            devices={view.microphones}
            selected={view.microphoneId}
            onSelect={(id) => void controller.selectMicrophone(id)}
          />
          <DeviceSelect
            id="call-camera"
            label="Camera"
            devices={view.cameras}
            selected={view.cameraId}
            onSelect={(id) => void controller.selectCamera(id)}
          />
        </div>
      ) : null}
    </dialog>
  );
}

/** A choice among the devices of one kind; nothing when there are none. */
function DeviceSelect({
  id,
  label,
  devices,
  selected,
  onSelect,
}: {
  id: string;
  label: string;
  devices: readonly { id: string; label: string }[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  if (devices.length === 0) return null;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={selected ?? ''} onChange={(event) => onSelect(event.target.value)}>
        {selected === null ? <option value="">Choose a {label.toLowerCase()}</option> : null}
        {devices.map((d) => (
          <option key={d.id} value={d.id}>
            {d.label}
          </option>
        ))}
      </select>
    </div>
  );
}

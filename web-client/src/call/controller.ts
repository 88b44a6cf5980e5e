// The calls of one signed-in page: it listens to the call frames on the chat connection (there is
// one socket per tab), keeps the UI state with the reducer (state.ts), and carries out what the
// reducer asks for: sending frames through the chat client, opening the camera and microphone,
// running the WebRTC session (session.ts), measuring the connection's quality, and the media
// controls (mute, camera, screen sharing, device choice). React reads it through
// `subscribe`/`getView`.

import { api } from '../api/endpoints';
import { newClientId, type ChatClient } from '../chat/client';
import type { CallClientFrame, CallServerFrame } from '../chat/protocol';
import { candidateFromFrame } from './candidates';
import { deviceOptions, openMedia, type DeviceOption, type MediaDevicesLike } from './media';
import { reading, sampleStats, type QualityReading, type StatsSample } from './quality';
import { CallSession, type PeerConnectionLike, type SessionFrame } from './session';
import { IDLE, isLive, reduce, type CallAction, type CallEffect, type CallPeer, type CallUi, type SignalFrame } from './state';
import { SerialQueue } from '../lib/serial';

/** Everything the call screen shows. */
export interface CallView {
  readonly ui: CallUi;
  /** My own picture (camera or shared screen), for the muted preview. */
  readonly localStream: MediaStream | null;
  readonly remoteStream: MediaStream | null;
  readonly hasMicrophone: boolean;
  readonly hasCamera: boolean;
  readonly micMuted: boolean;
  readonly cameraOff: boolean;
  readonly sharing: boolean;
  readonly canShare: boolean;
  readonly microphones: readonly DeviceOption[];
  readonly cameras: readonly DeviceOption[];
  readonly microphoneId: string | null;
  readonly cameraId: string | null;
  /** A problem with the local media, in words. */
  readonly mediaNotice: string | null;
  readonly quality: QualityReading | null;
}

/** The outside world (fakes in tests). */
export interface CallEnvironment {
  mediaDevices: MediaDevicesLike | null;
  createPeerConnection(config: RTCConfiguration): PeerConnectionLike;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  iceServers(): Promise<RTCIceServer[]>;
  newId(): string;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  log(message: string, error?: unknown): void;
}

/** Who the other person of a call is (their name and our pair channel), from the chat state. */
export type PeerLookup = (userId: string) => CallPeer | null;

/** How long an ended call's reason stays on screen. */
export const ENDED_SHOW_MS = 6000;
/** How often the connection's quality is measured. */
const STATS_EVERY_MS = 2000;
/** How long the callee waits for the caller's offer before offering its own media itself. */
export const CALLEE_OFFER_WAIT_MS = 5000;

export function browserCallEnvironment(): CallEnvironment {
  const devices = typeof navigator !== 'undefined' && navigator.mediaDevices ? navigator.mediaDevices : null;
  return {
    mediaDevices: devices,
    createPeerConnection: (config) => new RTCPeerConnection(config),
    createStream: (tracks) => new MediaStream(tracks),
    iceServers: () => api.iceServers().then((c) => c.ice_servers),
    newId: newClientId,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    setInterval: (fn, ms) => window.setInterval(fn, ms),
    clearInterval: (handle) => window.clearInterval(handle as number),
    log: (message, error) => console.warn(`Call: ${message}`, error ?? ''),
  };
}

const NO_MEDIA = {
  localStream: null,
  remoteStream: null,
  hasMicrophone: false,
  hasCamera: false,
  micMuted: false,
  cameraOff: false,
  sharing: false,
  mediaNotice: null,
  quality: null,
} as const;

export class CallController {
  private readonly chat: ChatClient;
  private readonly lookup: PeerLookup;
  private readonly env: CallEnvironment;
  private view: CallView;
  private readonly listeners = new Set<() => void>();
  private readonly unlisten: () => void;
  private readonly queue = new SerialQueue<CallAction>((action) => this.step(action));
  private disposed = false;

  /** Bumped when a call's resources are released, so late async results are dropped. */
  private generation = 0;
  private session: CallSession | null = null;
  private sessionStarting = false;
  /** Descriptions and candidates that came before the session existed. */
  private pendingSignals: SignalFrame[] = [];
  private media: Promise<MediaStream | null> | null = null;
  private ice: Promise<RTCIceServer[]> | null = null;
  /** The stream the local tracks are sent with (kept current when devices change). */
  private sendStream: MediaStream | null = null;
  private microphone: MediaStreamTrack | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;
  private dismissTimer: unknown = null;
  private statsTimer: unknown = null;
  private lastSample: StatsSample | null = null;
  private readonly onDeviceChange = () => {
    if (isLive(this.view.ui.phase) && this.media) void this.refreshDevices();
  };

  constructor(chat: ChatClient, lookup: PeerLookup, env: Partial<CallEnvironment> = {}) {
    this.chat = chat;
    this.lookup = lookup;
    this.env = { ...browserCallEnvironment(), ...env };
    this.view = {
      ui: IDLE,
      ...NO_MEDIA,
      canShare: typeof this.env.mediaDevices?.getDisplayMedia === 'function',
      microphones: [],
      cameras: [],
      microphoneId: null,
      cameraId: null,
    };
    this.unlisten = chat.addCallListener({
      frame: (frame) => this.onFrame(frame),
      connected: (resumed) => {
        if (resumed) this.dispatch({ type: 'reconnected' });
      },
    });
    this.env.mediaDevices?.addEventListener?.('devicechange', this.onDeviceChange);
  }

  // Store interface for useSyncExternalStore.
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getView = (): CallView => this.view;

  /** The current peer connection (read-only, for diagnostics and tests). */
  get peerConnection(): PeerConnectionLike | null {
    return this.session?.pc ?? null;
  }

  private update(patch: Partial<CallView>): void {
    this.view = { ...this.view, ...patch };
    for (const listener of [...this.listeners]) listener();
  }

  dispose(): void {
    if (this.disposed) return;
    this.leave();
    this.disposed = true;
    this.unlisten();
    this.env.mediaDevices?.removeEventListener?.('devicechange', this.onDeviceChange);
    this.release();
    if (this.dismissTimer !== null) this.env.clearTimeout(this.dismissTimer);
    this.listeners.clear();
  }

  // What the person does.

  /** Calls the other person of a pair channel. */
  start(peer: CallPeer): void {
    this.dispatch({ type: 'start', call: this.env.newId(), peer });
  }

  /** Answers the ringing call once the camera and microphone are open (or known to be missing). */
  async accept(): Promise<void> {
    const call = this.view.ui.call;
    this.dispatch({ type: 'accepting' });
    const generation = this.generation;
    await Promise.all([this.ensureMedia(), this.ensureIce()]);
    const ui = this.view.ui;
    if (generation !== this.generation || ui.phase !== 'incoming' || ui.call !== call) return;
    this.dispatch({ type: 'accept' });
  }

  decline(): void {
    this.dispatch({ type: 'decline' });
  }

  hangUp(): void {
    this.dispatch({ type: 'hangup' });
  }

  /** The page is going away: end a call this tab takes part in (other tabs may still ring). */
  leave(): void {
    if (this.view.ui.joined && isLive(this.view.ui.phase)) this.dispatch({ type: 'hangup' });
  }

  /** Hides an ended call's reason. */
  dismiss(): void {
    this.dispatch({ type: 'dismiss' });
  }

  toggleMicrophone(): void {
    const track = this.microphone;
    if (!track) return;
    track.enabled = !track.enabled;
    this.update({ micMuted: !track.enabled });
  }

  toggleCamera(): void {
    const track = this.camera;
    if (!track) return;
    track.enabled = !track.enabled;
    this.update({ cameraOff: !track.enabled });
  }

  async shareScreen(): Promise<void> {
    const devices = this.env.mediaDevices;
    if (!devices?.getDisplayMedia || !this.session || this.screen) return;
    const generation = this.generation;
    let stream: MediaStream;
    try {
      stream = await devices.getDisplayMedia({ video: true, audio: false });
    } catch {
      this.update({ mediaNotice: 'Screen sharing was cancelled or is not allowed.' });
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    if (generation !== this.generation || !this.session) {
      track.stop();
      return;
    }
    this.screen = track;
    // The browser's own "Stop sharing" ends the track.
    track.onended = () => void this.stopSharing();
    await this.session.replaceTrack('video', track, this.sendStream ?? undefined);
    this.update({ sharing: true, localStream: this.preview(), mediaNotice: null });
  }

  async stopSharing(): Promise<void> {
    const track = this.screen;
    if (!track) return;
    this.screen = null;
    track.onended = null;
    track.stop();
    await this.session?.replaceTrack('video', this.camera, this.sendStream ?? undefined);
    this.update({ sharing: false, localStream: this.preview() });
  }

  selectMicrophone(deviceId: string): Promise<void> {
    return this.selectDevice('audio', deviceId);
  }

  selectCamera(deviceId: string): Promise<void> {
    return this.selectDevice('video', deviceId);
  }

  // Frames and effects.

  private onFrame(frame: CallServerFrame): void {
    const me = this.chat.getState().userId;
    if (!me) return;
    const peer = frame.type === 'call_invite' ? this.lookup(frame.from) : null;
    this.dispatch({ type: 'frame', frame, me, peer });
  }

  private dispatch(action: CallAction): void {
    if (this.disposed) return;
    // Effects may dispatch again (a frame that could not be sent); those wait their turn.
    this.queue.push(action);
  }

  private step(action: CallAction): void {
    const before = this.view.ui;
    const { state, effects } = reduce(before, action);
    if (state !== before) this.update({ ui: state });
    for (const effect of effects) this.run(effect);
    if (state.phase !== before.phase) {
      if (this.dismissTimer !== null) {
        this.env.clearTimeout(this.dismissTimer);
        this.dismissTimer = null;
      }
      if (state.phase === 'ended') {
        this.dismissTimer = this.env.setTimeout(() => {
          this.dismissTimer = null;
          this.dispatch({ type: 'dismiss' });
        }, ENDED_SHOW_MS);
      }
      if (state.phase === 'in_call') this.startStats();
    }
  }

  private run(effect: CallEffect): void {
    switch (effect.type) {
      case 'send': {
        const sent = this.chat.sendCall(effect.frame, effect.reliable);
        if (!sent && effect.frame.type === 'call_invite') {
          this.dispatch({ type: 'fail', message: 'You are offline: the call could not start.', hangup: false });
        }
        break;
      }
      case 'media':
        void this.ensureMedia();
        break;
      case 'session':
        void this.ensureSession();
        break;
      case 'signal':
        if (this.session) this.feed(this.session, effect.frame);
        else this.pendingSignals.push(effect.frame);
        break;
      case 'polite':
        if (this.session) this.session.polite = effect.polite;
        break;
      case 'restart_ice':
        this.session?.restartIce();
        break;
      case 'stop':
        this.release();
        break;
    }
  }

  private feed(session: CallSession, frame: SignalFrame): void {
    if (frame.type === 'ice_candidate') void session.handleCandidate(candidateFromFrame(frame));
    else void session.handleDescription(frame.type === 'sdp_offer' ? 'offer' : 'answer', frame.sdp);
  }

  private sendSignal(frame: SessionFrame): void {
    const call = this.view.ui.call;
    if (!call) return;
    // The record of the call depends on `call_connected`; a lost description is made afresh.
    this.chat.sendCall({ ...frame, call } as CallClientFrame, frame.type === 'call_connected');
  }

  private ensureIce(): Promise<RTCIceServer[]> {
    this.ice ??= this.env.iceServers().catch((error: unknown) => {
      // Without them, host candidates still connect people on the same network.
      this.env.log('could not fetch the ICE servers', error);
      return [];
    });
    return this.ice;
  }

  private ensureMedia(): Promise<MediaStream | null> {
    if (this.media) return this.media;
    const generation = this.generation;
    void this.ensureIce();
    this.media = openMedia(this.env.mediaDevices).then(({ stream, notice }) => {
      if (generation !== this.generation) {
        stream?.getTracks().forEach((t) => t.stop());
        return null;
      }
      this.sendStream = stream;
      this.microphone = stream?.getAudioTracks()[0] ?? null;
      this.camera = stream?.getVideoTracks()[0] ?? null;
      this.update({
        localStream: this.preview(),
        hasMicrophone: this.microphone !== null,
        hasCamera: this.camera !== null,
        micMuted: false,
        cameraOff: false,
        mediaNotice: notice,
      });
      void this.refreshDevices();
      return stream;
    });
    return this.media;
  }

  private async ensureSession(): Promise<void> {
    if (this.session || this.sessionStarting) return;
    this.sessionStarting = true;
    const generation = this.generation;
    const [stream, iceServers] = await Promise.all([this.ensureMedia(), this.ensureIce()]);
    if (generation !== this.generation) return;
    this.sessionStarting = false;
    const ui = this.view.ui;
    if (!ui.joined || !isLive(ui.phase) || this.disposed) return;
    let pc: PeerConnectionLike;
    try {
      pc = this.env.createPeerConnection({ iceServers });
    } catch (error) {
      this.env.log('could not create the peer connection', error);
      this.dispatch({ type: 'fail', message: 'This browser could not start the call.', hangup: true });
      return;
    }
    const session = new CallSession({
      pc,
      polite: ui.polite,
      send: (frame) => this.sendSignal(frame),
      onConnectionState: (state) => this.dispatch({ type: 'link', state }),
      onTrack: (event) => this.onTrack(event),
      log: this.env.log,
    });
    this.session = session;
    // The caller offers; the callee answers with its media (session.ts says why).
    const callee = ui.role === 'callee';
    session.addLocalStream(stream, { afterRemoteOffer: callee });
    if (callee) {
      this.env.setTimeout(() => {
        if (this.session === session && session.holdingLocalStream) session.releaseLocalStream();
      }, CALLEE_OFFER_WAIT_MS);
    }
    const pending = this.pendingSignals;
    this.pendingSignals = [];
    for (const frame of pending) this.feed(session, frame);
  }

  private onTrack(event: RTCTrackEvent): void {
    let stream = event.streams[0] ?? this.view.remoteStream;
    if (!stream) stream = this.env.createStream([event.track]);
    else if (!event.streams[0] && !stream.getTracks().includes(event.track)) stream.addTrack(event.track);
    if (stream !== this.view.remoteStream) this.update({ remoteStream: stream });
  }

  /** My picture: the shared screen, else the camera. */
  private preview(): MediaStream | null {
    const track = this.screen ?? this.camera;
    return track ? this.env.createStream([track]) : null;
  }

  private async refreshDevices(): Promise<void> {
    const devices = this.env.mediaDevices;
    if (!devices) return;
    const generation = this.generation;
    let list: MediaDeviceInfo[];
    try {
      list = await devices.enumerateDevices();
    } catch {
      return;
    }
    if (generation !== this.generation) return;
    this.update({
      microphones: deviceOptions(list, 'audioinput'),
      cameras: deviceOptions(list, 'videoinput'),
      microphoneId: this.microphone?.getSettings?.().deviceId ?? null,
      cameraId: this.camera?.getSettings?.().deviceId ?? null,
    });
  }

  private async selectDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const devices = this.env.mediaDevices;
    if (!devices || !isLive(this.view.ui.phase)) return;
    const generation = this.generation;
    let track: MediaStreamTrack | undefined;
    try {
      const constraint = { deviceId: { exact: deviceId } };
      const stream = await devices.getUserMedia(kind === 'audio' ? { audio: constraint } : { video: constraint });
      track = stream.getTracks()[0];
    } catch {
      this.update({ mediaNotice: kind === 'audio' ? 'That microphone could not be used.' : 'That camera could not be used.' });
      return;
    }
    if (!track) return;
    if (generation !== this.generation) {
      track.stop();
      return;
    }
    const old = kind === 'audio' ? this.microphone : this.camera;
    track.enabled = kind === 'audio' ? !this.view.micMuted : !this.view.cameraOff;
    if (kind === 'audio') this.microphone = track;
    else this.camera = track;
    if (this.sendStream) {
      if (old) this.sendStream.removeTrack(old);
      this.sendStream.addTrack(track);
    } else {
      this.sendStream = this.env.createStream([track]);
    }
    // While the screen is shared, the new camera waits until sharing stops.
    if (this.session && !(kind === 'video' && this.screen)) {
      await this.session.replaceTrack(kind, track, this.sendStream);
    }
    old?.stop();
    this.update({
      localStream: this.preview(),
      hasMicrophone: this.microphone !== null,
      hasCamera: this.camera !== null,
      mediaNotice: null,
    });
    void this.refreshDevices();
  }

  private startStats(): void {
    if (this.statsTimer !== null) return;
    this.statsTimer = this.env.setInterval(() => void this.measure(), STATS_EVERY_MS);
    void this.measure();
  }

  private async measure(): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      const report = await session.getStats();
      if (session !== this.session) return;
      const sample = sampleStats(report);
      const quality = reading(this.lastSample, sample);
      this.lastSample = sample;
      this.update({ quality });
    } catch {
      // closed meanwhile
    }
  }

  /** Ends the call's media: the peer connection, every local track, the measurements. */
  private release(): void {
    this.generation += 1;
    this.session?.close();
    this.session = null;
    this.sessionStarting = false;
    this.pendingSignals = [];
    const tracks = new Set<MediaStreamTrack>();
    for (const t of [this.microphone, this.camera, this.screen]) if (t) tracks.add(t);
    for (const t of this.sendStream?.getTracks() ?? []) tracks.add(t);
    for (const t of tracks) t.stop();
    if (this.screen) this.screen.onended = null;
    this.microphone = null;
    this.camera = null;
    this.screen = null;
    this.sendStream = null;
    this.media = null;
    this.ice = null;
    if (this.statsTimer !== null) this.env.clearInterval(this.statsTimer);
    this.statsTimer = null;
    this.lastSample = null;
    this.update({ ...NO_MEDIA });
  }
}

// The live room of one group event, on the page's chat connection (one socket per tab). It keeps
// the room's state with the reducer (state.ts), carries out its effects, and runs the two peer
// connections of docs/protocol.md to the SFU:
//
// - subscribe: offered by the server (`room_offer`), answered here (`room_answer`); one
//   RTCPeerConnection for all the offers of a stay in the room. Each arriving track is filed by
//   its transceiver's `mid`, which the offer's `tracks` map to a person and a source (stage.ts).
// - publish: offered here (`room_publish`, with the `sources` of each mid) while on stage, with
//   the camera in three simulcast layers, the microphone, and a shared screen when there is one.
//
// The SFU is ICE-lite: it learns our addresses from our connectivity checks, so no candidates are
// sent either way. React reads the room through `subscribe`/`getView`.

import { api } from '../api/endpoints';
import type { RoomClientFrame, RoomServerFrame, RoomSource } from '../chat/protocol';
import { openMedia, type MediaDevicesLike } from '../call/media';
import { publishSources, SIMULCAST_ENCODINGS } from './publish';
import {
  errorText,
  initialRoom,
  reduceRoom,
  shouldPublish,
  type RoomAction,
  type RoomControlFrame,
  type RoomEffect,
  type RoomUi,
} from './state';
import { SerialQueue } from '../lib/serial';

/** The part of the chat client the room uses. */
export interface RoomChat {
  addRoomListener(listener: {
    frame?(frame: RoomServerFrame): void;
    connected?(resumed: boolean): void;
  }): () => void;
  sendRoom(frame: RoomClientFrame): boolean;
}

/** The part of `RTCPeerConnection` the room uses (a fake in unit tests). */
export interface RoomPeerConnection {
  readonly signalingState: RTCSignalingState;
  readonly connectionState: RTCPeerConnectionState;
  readonly localDescription: { type: RTCSdpType; sdp: string } | null;
  createOffer(): Promise<RTCSessionDescriptionInit>;
  createAnswer(): Promise<RTCSessionDescriptionInit>;
  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver;
  close(): void;
  ontrack: ((event: RTCTrackEvent) => unknown) | null;
  onnegotiationneeded: ((event: Event) => unknown) | null;
  onconnectionstatechange: ((event: Event) => unknown) | null;
}

/** The outside world (fakes in tests). */
export interface RoomEnvironment {
  mediaDevices: MediaDevicesLike | null;
  createPeerConnection(config: RTCConfiguration): RoomPeerConnection;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  iceServers(): Promise<RTCIceServer[]>;
  log(message: string, error?: unknown): void;
}

export function browserRoomEnvironment(): RoomEnvironment {
  const devices = typeof navigator !== 'undefined' && navigator.mediaDevices ? navigator.mediaDevices : null;
  return {
    mediaDevices: devices,
    createPeerConnection: (config) => new RTCPeerConnection(config) as unknown as RoomPeerConnection,
    createStream: (tracks) => new MediaStream(tracks),
    iceServers: () => api.iceServers().then((c) => c.ice_servers),
    log: (message, error) => console.warn(`Live room: ${message}`, error ?? ''),
  };
}

/** Everything the room view shows. */
export interface RoomView {
  readonly ui: RoomUi;
  /** What the subscribe connection receives: mid → a stream of that one track. */
  readonly received: ReadonlyMap<string, MediaStream>;
  /** My camera, for the muted preview. */
  readonly localStream: MediaStream | null;
  /** My shared screen, for its preview. */
  readonly screenStream: MediaStream | null;
  /** The publish connection is set up (the camera and microphone are open). */
  readonly publishing: boolean;
  /** Opening the camera and microphone for the stage. */
  readonly openingMedia: boolean;
  /** The SFU refused my media; `retryPublishing` tries again. */
  readonly publishFailed: boolean;
  readonly hasMicrophone: boolean;
  readonly hasCamera: boolean;
  readonly micMuted: boolean;
  readonly cameraOff: boolean;
  readonly sharing: boolean;
  readonly canShare: boolean;
  /** A problem with the media, in words. */
  readonly mediaNotice: string | null;
}

const NO_LOCAL_MEDIA = {
  localStream: null,
  screenStream: null,
  publishing: false,
  openingMedia: false,
  hasMicrophone: false,
  hasCamera: false,
  micMuted: false,
  cameraOff: false,
  sharing: false,
} as const;

const NO_RECEIVED: ReadonlyMap<string, MediaStream> = new Map();

interface Published {
  transceiver: RTCRtpTransceiver;
  source: RoomSource;
  active: boolean;
}

interface Publisher {
  pc: RoomPeerConnection;
  entries: Published[];
  /** An offer is out, waiting for `room_publish_answer`. */
  negotiating: boolean;
  /** Something changed while an offer was out: offer again after its answer. */
  again: boolean;
  /** The `ref` of the offer that is out. */
  ref: string | null;
}

export class RoomController {
  readonly event: string;
  private readonly chat: RoomChat;
  private readonly env: RoomEnvironment;
  private view: RoomView;
  private readonly listeners = new Set<() => void>();
  private readonly unlisten: () => void;
  private readonly queue = new SerialQueue<RoomAction>((action) => this.step(action));
  private disposed = false;

  /** Bumped when the room's media is released, so late async results are dropped. */
  private generation = 0;
  private ice: Promise<RTCIceServer[]> | null = null;
  private subscriber: RoomPeerConnection | null = null;
  /** Offers are applied one at a time, in order. */
  private offers: Promise<void> = Promise.resolve();
  private readonly tracksByMid = new Map<string, MediaStreamTrack>();
  private readonly streams = new Map<MediaStreamTrack, MediaStream>();

  /** Bumped when publishing stops, so a camera that opens late is closed again. */
  private publishGeneration = 0;
  private publishStarted = false;
  private publisher: Publisher | null = null;
  private publishRefused = false;
  private microphone: MediaStreamTrack | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;
  private refCounter = 0;

  constructor(chat: RoomChat, event: string, env: Partial<RoomEnvironment> = {}) {
    this.chat = chat;
    this.event = event;
    this.env = { ...browserRoomEnvironment(), ...env };
    this.view = {
      ui: initialRoom(event),
      received: NO_RECEIVED,
      ...NO_LOCAL_MEDIA,
      publishFailed: false,
      canShare: typeof this.env.mediaDevices?.getDisplayMedia === 'function',
      mediaNotice: null,
    };
    this.unlisten = chat.addRoomListener({
      frame: (frame) => this.dispatch({ type: 'frame', frame }),
      connected: (resumed) => {
        if (resumed) this.dispatch({ type: 'reconnected' });
      },
    });
  }

  // Store interface for useSyncExternalStore.
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getView = (): RoomView => this.view;

  /** The two peer connections (read-only, for diagnostics and browser tests). */
  get peerConnections(): { subscribe: RoomPeerConnection | null; publish: RoomPeerConnection | null } {
    return { subscribe: this.subscriber, publish: this.publisher?.pc ?? null };
  }

  private update(patch: Partial<RoomView>): void {
    this.view = { ...this.view, ...patch };
    for (const listener of [...this.listeners]) listener();
  }

  /** Leaves the room (if in it) and lets go of everything: the page is going away. */
  dispose(): void {
    if (this.disposed) return;
    this.leave();
    this.disposed = true;
    this.unlisten();
    this.release();
    this.listeners.clear();
  }

  // What the person does.

  join(): void {
    // Fetched while the host lets us in, so the first offer is answered without waiting.
    void this.ensureIce();
    this.dispatch({ type: 'join' });
  }

  leave(): void {
    this.dispatch({ type: 'leave' });
  }

  dismiss(): void {
    this.dispatch({ type: 'dismiss' });
  }

  raiseHand(raised: boolean): void {
    this.control({ type: 'room_hand', event: this.event, raised });
  }

  open(): void {
    this.control({ type: 'room_open', event: this.event });
  }

  admit(user: string): void {
    this.control({ type: 'room_admit', event: this.event, user });
  }

  lock(locked: boolean): void {
    this.control({ type: 'room_lock', event: this.event, locked });
  }

  end(): void {
    this.control({ type: 'room_end', event: this.event });
  }

  stage(user: string, onStage: boolean): void {
    this.control({ type: 'room_stage', event: this.event, user, on_stage: onStage });
  }

  mute(user: string, muted: boolean): void {
    this.control({ type: 'room_mute', event: this.event, user, muted });
  }

  remove(user: string): void {
    this.control({ type: 'room_remove', event: this.event, user });
  }

  private control(frame: RoomControlFrame): void {
    this.dispatch({ type: 'control', frame });
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

  /** Shares a screen (or window) as a third sending transceiver, and offers again. */
  async shareScreen(): Promise<void> {
    const devices = this.env.mediaDevices;
    const publisher = this.publisher;
    if (!devices?.getDisplayMedia || !publisher || this.screen) return;
    const generation = this.publishGeneration;
    let stream: MediaStream;
    try {
      stream = await devices.getDisplayMedia({ video: true, audio: false });
    } catch {
      this.update({ mediaNotice: 'Screen sharing was cancelled or is not allowed.' });
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    if (generation !== this.publishGeneration || this.publisher !== publisher || this.screen) {
      track.stop();
      return;
    }
    this.screen = track;
    // The browser's own "Stop sharing" ends the track.
    track.onended = () => void this.stopSharing();
    // A transceiver paused by an earlier share is used again rather than adding m-lines.
    const paused = publisher.entries.find((e) => e.source === 'screen' && !e.active);
    if (paused) {
      paused.active = true;
      paused.transceiver.direction = 'sendonly';
      await paused.transceiver.sender.replaceTrack(track);
    } else {
      const transceiver = publisher.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      publisher.entries.push({ transceiver, source: 'screen', active: true });
    }
    this.update({ sharing: true, screenStream: this.env.createStream([track]), mediaNotice: null });
    await this.negotiatePublish(publisher);
  }

  /** Stops the screen share: its transceiver goes inactive and the SFU is told by a new offer. */
  async stopSharing(): Promise<void> {
    const track = this.screen;
    if (!track) return;
    this.screen = null;
    track.onended = null;
    track.stop();
    this.update({ sharing: false, screenStream: null });
    const publisher = this.publisher;
    const entry = publisher?.entries.find((e) => e.source === 'screen' && e.active);
    if (!publisher || !entry) return;
    entry.active = false;
    entry.transceiver.direction = 'inactive';
    await entry.transceiver.sender.replaceTrack(null);
    await this.negotiatePublish(publisher);
  }

  /** After the SFU refused my media: try publishing again. */
  retryPublishing(): void {
    this.publishRefused = false;
    this.update({ publishFailed: false, mediaNotice: null });
    this.syncPublishing();
  }

  // Frames and effects.

  private dispatch(action: RoomAction): void {
    if (this.disposed) return;
    // Effects may dispatch again (a frame that could not be sent); those wait their turn.
    this.queue.push(action);
  }

  private step(action: RoomAction): void {
    const before = this.view.ui;
    const { state, effects } = reduceRoom(before, action);
    if (state !== before) this.update({ ui: state });
    for (const effect of effects) this.run(effect);
    this.syncPublishing();
  }

  private run(effect: RoomEffect): void {
    switch (effect.type) {
      case 'send':
        this.send(effect.frame);
        break;
      case 'subscribe': {
        const generation = this.generation;
        this.offers = this.offers.then(() => this.applyOffer(effect.sdp, generation));
        break;
      }
      case 'publish_answer':
        void this.applyPublishAnswer(effect.sdp);
        break;
      case 'refused':
        if (this.publisher && effect.ref === this.publisher.ref) this.publishRefusedWith(effect.code);
        break;
      case 'stop':
        this.release();
        break;
    }
  }

  private send(frame: RoomClientFrame): boolean {
    if (this.chat.sendRoom(frame)) return true;
    if (frame.type === 'room_publish') {
      if (this.publisher && frame.ref === this.publisher.ref) this.publishRefusedWith('offline');
    } else {
      this.dispatch({ type: 'unsent', frame });
    }
    return false;
  }

  private ensureIce(): Promise<RTCIceServer[]> {
    this.ice ??= this.env.iceServers().catch((error: unknown) => {
      // TURN is a fallback: the SFU's own address works for most networks.
      this.env.log('could not fetch the ICE servers', error);
      return [];
    });
    return this.ice;
  }

  // The subscribe connection.

  private async ensureSubscriber(generation: number): Promise<RoomPeerConnection | null> {
    if (this.subscriber) return this.subscriber;
    const iceServers = await this.ensureIce();
    if (generation !== this.generation || this.disposed) return null;
    if (this.subscriber) return this.subscriber;
    const pc = this.env.createPeerConnection({ iceServers });
    pc.ontrack = (event) => {
      if (this.subscriber !== pc) return;
      this.received(event.transceiver?.mid ?? null, event.track);
    };
    pc.onconnectionstatechange = () => {
      if (this.subscriber !== pc) return;
      if (pc.connectionState === 'failed') {
        this.update({ mediaNotice: 'The event’s video and sound stopped arriving. Leave the room and join again.' });
      }
    };
    this.subscriber = pc;
    return pc;
  }

  private async applyOffer(sdp: string, generation: number): Promise<void> {
    if (generation !== this.generation) return;
    let pc: RoomPeerConnection | null;
    try {
      pc = await this.ensureSubscriber(generation);
    } catch (error) {
      this.env.log('could not create the subscribe connection', error);
      this.update({ mediaNotice: 'This browser could not receive the event’s video and sound.' });
      return;
    }
    if (!pc) return;
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      const answer = await pc.createAnswer();
      if (generation !== this.generation) return;
      await pc.setLocalDescription(answer);
      if (generation !== this.generation) return;
      const local = pc.localDescription?.sdp ?? answer.sdp ?? '';
      this.send({ type: 'room_answer', event: this.event, sdp: local });
    } catch (error) {
      if (generation !== this.generation) return;
      this.env.log('could not apply the room offer', error);
      this.update({ mediaNotice: 'The event’s video and sound could not be set up. Leave the room and join again.' });
    }
  }

  /** A track arrived on `mid`: the offer's `tracks` say whose it is (stage.ts). */
  private received(mid: string | null, track: MediaStreamTrack): void {
    if (mid === null || this.tracksByMid.get(mid) === track) return;
    this.tracksByMid.set(mid, track);
    const received = new Map<string, MediaStream>();
    for (const [m, t] of this.tracksByMid) {
      let stream = this.streams.get(t);
      if (!stream) {
        stream = this.env.createStream([t]);
        this.streams.set(t, stream);
      }
      received.set(m, stream);
    }
    this.update({ received });
  }

  // The publish connection.

  /** Starts or stops publishing as my place in the room says. */
  private syncPublishing(): void {
    const onStage = shouldPublish(this.view.ui);
    if (!onStage && this.publishRefused) {
      this.publishRefused = false;
      this.update({ publishFailed: false });
    }
    const want = onStage && !this.publishRefused && !this.disposed;
    if (want && !this.publishStarted) void this.startPublishing();
    else if (!want && this.publishStarted) this.stopPublishing();
  }

  private async startPublishing(): Promise<void> {
    this.publishStarted = true;
    const generation = ++this.publishGeneration;
    this.update({ openingMedia: true });
    const [opened, iceServers] = await Promise.all([openMedia(this.env.mediaDevices), this.ensureIce()]);
    const stream = opened.stream;
    if (generation !== this.publishGeneration) {
      stream?.getTracks().forEach((t) => t.stop());
      return;
    }
    this.microphone = stream?.getAudioTracks()[0] ?? null;
    this.camera = stream?.getVideoTracks()[0] ?? null;
    let pc: RoomPeerConnection;
    try {
      pc = this.env.createPeerConnection({ iceServers });
    } catch (error) {
      this.env.log('could not create the publish connection', error);
      this.stopLocalTracks();
      this.update({ openingMedia: false, mediaNotice: 'This browser could not send your camera and microphone.' });
      return;
    }
    // Negotiation is driven here, one offer at a time, not by `negotiationneeded`.
    pc.onnegotiationneeded = null;
    const publisher: Publisher = { pc, entries: [], negotiating: false, again: false, ref: null };
    const streams = stream ? [stream] : [];
    if (this.camera) {
      const transceiver = pc.addTransceiver(this.camera, {
        direction: 'sendonly',
        sendEncodings: SIMULCAST_ENCODINGS.map((e) => ({ ...e })),
        streams,
      });
      publisher.entries.push({ transceiver, source: 'camera', active: true });
    }
    if (this.microphone) {
      const transceiver = pc.addTransceiver(this.microphone, { direction: 'sendonly', streams });
      publisher.entries.push({ transceiver, source: 'microphone', active: true });
    }
    this.publisher = publisher;
    this.update({
      openingMedia: false,
      publishing: true,
      localStream: this.camera ? this.env.createStream([this.camera]) : null,
      hasMicrophone: this.microphone !== null,
      hasCamera: this.camera !== null,
      micMuted: false,
      cameraOff: false,
      mediaNotice: opened.notice,
    });
    await this.negotiatePublish(publisher);
  }

  private async negotiatePublish(publisher: Publisher): Promise<void> {
    if (this.publisher !== publisher) return;
    if (publisher.negotiating) {
      publisher.again = true;
      return;
    }
    // Nothing to send yet (no camera, no microphone): the first screen share offers.
    if (publisher.entries.length === 0) return;
    publisher.negotiating = true;
    publisher.again = false;
    const pc = publisher.pc;
    try {
      const offer = await pc.createOffer();
      if (this.publisher !== publisher) return;
      await pc.setLocalDescription(offer);
      if (this.publisher !== publisher) return;
      const sources = publishSources(
        publisher.entries.map((e) => ({ mid: e.transceiver.mid, source: e.source, active: e.active })),
      );
      if (!sources) throw new Error('a sending transceiver has no mid after setLocalDescription');
      this.refCounter += 1;
      const ref = `publish-${this.refCounter}`;
      publisher.ref = ref;
      const sdp = pc.localDescription?.sdp ?? offer.sdp ?? '';
      this.send({ type: 'room_publish', ref, event: this.event, sdp, sources });
    } catch (error) {
      if (this.publisher !== publisher) return;
      publisher.negotiating = false;
      this.env.log('could not make the publish offer', error);
      this.update({ mediaNotice: 'Your camera and microphone could not be sent.' });
    }
  }

  private async applyPublishAnswer(sdp: string): Promise<void> {
    const publisher = this.publisher;
    if (!publisher || !publisher.negotiating || publisher.pc.signalingState !== 'have-local-offer') return;
    try {
      await publisher.pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (error) {
      if (this.publisher !== publisher) return;
      this.env.log('could not apply the publish answer', error);
      publisher.negotiating = false;
      this.update({ mediaNotice: 'Your camera and microphone could not be sent.' });
      return;
    }
    if (this.publisher !== publisher) return;
    publisher.negotiating = false;
    publisher.ref = null;
    if (publisher.again) await this.negotiatePublish(publisher);
  }

  /** The SFU refused my offer (or it could not be sent): stop, say so, and wait for a retry. */
  private publishRefusedWith(code: string): void {
    this.stopPublishing();
    this.publishRefused = true;
    this.update({
      publishFailed: true,
      mediaNotice: `Your camera and microphone could not be sent: ${errorText(code)}`,
    });
  }

  private stopLocalTracks(): void {
    for (const t of [this.microphone, this.camera, this.screen]) t?.stop();
    if (this.screen) this.screen.onended = null;
    this.microphone = null;
    this.camera = null;
    this.screen = null;
  }

  /** Closes the publish connection and stops my camera, microphone and screen. */
  private stopPublishing(): void {
    this.publishGeneration += 1;
    this.publishStarted = false;
    const publisher = this.publisher;
    this.publisher = null;
    if (publisher) {
      publisher.pc.onnegotiationneeded = null;
      try {
        publisher.pc.close();
      } catch {
        // already closed
      }
    }
    this.stopLocalTracks();
    this.update({ ...NO_LOCAL_MEDIA });
  }

  /** Ends the room's media: both connections and every local track. */
  private release(): void {
    this.generation += 1;
    this.stopPublishing();
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber) {
      subscriber.ontrack = null;
      subscriber.onconnectionstatechange = null;
      try {
        subscriber.close();
      } catch {
        // already closed
      }
    }
    this.offers = Promise.resolve();
    this.tracksByMid.clear();
    this.streams.clear();
    this.ice = null;
    this.publishRefused = false;
    this.update({ received: NO_RECEIVED, publishFailed: false, mediaNotice: null });
  }
}

// Fakes and builders for the room unit tests: a peer connection that assigns mids when an offer
// becomes its local description (as browsers do) and records what was done to it, a media stream,
// and protocol values.
import type { RoomPerson, RoomStateFrame, RoomTrack, RoomYou } from '../chat/protocol';
import type { RoomPeerConnection } from './controller';

export const EVENT = 'event-1';
export const ME = 'user-me';

export interface FakeTransceiver {
  mid: string | null;
  direction: RTCRtpTransceiverDirection;
  kind: string;
  init: RTCRtpTransceiverInit | undefined;
  sender: { track: MediaStreamTrack | null; replaceTrack(track: MediaStreamTrack | null): Promise<void> };
  receiver: { track: MediaStreamTrack | null };
}

export class FakeRoomPeerConnection {
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: { type: RTCSdpType; sdp: string } | null = null;
  transceivers: FakeTransceiver[] = [];
  log: string[] = [];
  closed = false;
  private offers = 0;
  private nextMid = 0;

  ontrack: ((event: RTCTrackEvent) => unknown) | null = null;
  onnegotiationneeded: ((event: Event) => unknown) | null = null;
  onconnectionstatechange: ((event: Event) => unknown) | null = null;

  constructor(readonly config: RTCConfiguration) {}

  async createOffer(): Promise<RTCSessionDescriptionInit> {
    await Promise.resolve();
    this.offers += 1;
    this.log.push('create offer');
    return { type: 'offer', sdp: `offer ${this.offers}` };
  }

  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    await Promise.resolve();
    if (this.signalingState !== 'have-remote-offer') throw new Error(`createAnswer in ${this.signalingState}`);
    this.log.push('create answer');
    return { type: 'answer', sdp: `answer to ${this.remoteDescription?.sdp}` };
  }

  async setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    const type = description?.type;
    if (type === 'offer') {
      if (this.signalingState !== 'stable') throw new Error(`local offer in ${this.signalingState}`);
      for (const t of this.transceivers) if (t.mid === null) t.mid = String(this.nextMid++);
      this.signalingState = 'have-local-offer';
    } else if (type === 'answer') {
      if (this.signalingState !== 'have-remote-offer') throw new Error(`local answer in ${this.signalingState}`);
      this.signalingState = 'stable';
    } else {
      throw new Error(`unexpected local description ${type}`);
    }
    this.localDescription = { type, sdp: description?.sdp ?? '' };
    this.log.push(`local ${type}`);
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    if (description.type === 'offer') {
      if (this.signalingState !== 'stable') throw new Error(`remote offer in ${this.signalingState}`);
      this.signalingState = 'have-remote-offer';
    } else if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new Error(`remote answer in ${this.signalingState}`);
      this.signalingState = 'stable';
    }
    this.remoteDescription = { type: description.type, sdp: description.sdp ?? '' };
    this.log.push(`remote ${description.type} ${description.sdp}`);
  }

  addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const transceiver: FakeTransceiver = {
      mid: null,
      direction: init?.direction ?? 'sendrecv',
      kind: track ? track.kind : (trackOrKind as string),
      init,
      sender: {
        track,
        replaceTrack(t) {
          transceiver.sender.track = t;
          return Promise.resolve();
        },
      },
      receiver: { track: null },
    };
    this.transceivers.push(transceiver);
    this.log.push(`add ${transceiver.kind}`);
    return transceiver as unknown as RTCRtpTransceiver;
  }

  close(): void {
    this.closed = true;
  }

  /** The SFU's media arrives on `mid`. */
  track(mid: string, kind: 'audio' | 'video'): MediaStreamTrack {
    const track = fakeMediaTrack(kind, `remote-${mid}`);
    this.ontrack?.({ track, transceiver: { mid }, streams: [] } as unknown as RTCTrackEvent);
    return track;
  }

  connection(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.(new Event('connectionstatechange'));
  }

  asPeerConnection(): RoomPeerConnection {
    return this as unknown as RoomPeerConnection;
  }
}

let trackIds = 0;

export function fakeMediaTrack(kind: 'audio' | 'video', id = `track-${++trackIds}`): MediaStreamTrack {
  const track = {
    id,
    kind,
    enabled: true,
    stopped: false,
    onended: null as (() => void) | null,
    stop() {
      track.stopped = true;
    },
  };
  return track as unknown as MediaStreamTrack;
}

export class FakeStream {
  constructor(private tracks: MediaStreamTrack[]) {}
  getTracks() {
    return [...this.tracks];
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video');
  }
}

export function you(overrides: Partial<RoomYou> = {}): RoomYou {
  return { user: ME, role: 'audience', admitted: true, hand: false, muted: false, ...overrides };
}

export function person(user: string, name: string, overrides: Partial<RoomPerson> = {}): RoomPerson {
  return { user, name, role: 'audience', admitted: true, hand: false, muted: false, ...overrides };
}

export function roomState(overrides: Partial<RoomStateFrame> = {}): RoomStateFrame {
  const me = overrides.you ?? you();
  return {
    type: 'room_state',
    event: EVENT,
    status: 'live',
    locked: false,
    you: me,
    people: [person(me.user, 'Me Myself', me)],
    ...overrides,
  };
}

export function track(mid: string, user: string, kind: RoomTrack['kind'], source: RoomTrack['source']): RoomTrack {
  return { mid, user, kind, source };
}

// A hand-driven RTCPeerConnection for the call unit tests: it follows the signaling states of
// JSEP (stable ↔ have-local-offer / have-remote-offer), refuses candidates without a remote
// description as browsers do, and lets a test hold a remote description "being applied".
import type { PeerConnectionLike } from './session';

type Desc = { type: RTCSdpType; sdp: string };

export class FakePeerConnection {
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  remoteDescription: Desc | null = null;
  localDescription: Desc | null = null;
  /** Every operation, in the order it took effect. */
  log: string[] = [];
  candidates: string[] = [];
  restarts = 0;
  closed = false;
  tracks: string[] = [];
  transceivers: { kind: string; direction: string }[] = [];
  private offers = 0;
  /** While set, setRemoteDescription waits for `release()`. */
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  onnegotiationneeded: ((event: Event) => unknown) | null = null;
  onicecandidate: ((event: RTCPeerConnectionIceEvent) => unknown) | null = null;
  ontrack: ((event: RTCTrackEvent) => unknown) | null = null;
  onconnectionstatechange: ((event: Event) => unknown) | null = null;
  oniceconnectionstatechange: ((event: Event) => unknown) | null = null;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = null;
    this.open = null;
  }

  async setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    if (description?.type === 'rollback') {
      if (this.signalingState !== 'have-local-offer') throw new Error(`rollback in ${this.signalingState}`);
      this.log.push('rollback');
      this.signalingState = 'stable';
      this.localDescription = null;
      return;
    }
    if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: `answer to ${this.remoteDescription?.sdp}` };
      this.signalingState = 'stable';
      this.log.push('local answer');
    } else if (this.signalingState === 'stable') {
      this.offers += 1;
      this.localDescription = { type: 'offer', sdp: `local offer ${this.offers}` };
      this.signalingState = 'have-local-offer';
      this.log.push('local offer');
    } else {
      throw new Error(`setLocalDescription in ${this.signalingState}`);
    }
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.gate) await this.gate;
    await Promise.resolve();
    const d = { type: description.type, sdp: description.sdp ?? '' };
    if (d.type === 'offer') {
      if (this.signalingState === 'have-local-offer') throw new Error('offer in have-local-offer without rollback');
      this.signalingState = 'have-remote-offer';
    } else if (d.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new Error(`answer in ${this.signalingState}`);
      this.signalingState = 'stable';
    }
    this.remoteDescription = d;
    this.log.push(`remote ${d.type} ${d.sdp}`);
  }

  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    await Promise.resolve();
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote description');
    this.candidates.push(candidate.candidate ?? '');
    this.log.push(`candidate ${candidate.candidate}`);
  }

  addTrack(track: MediaStreamTrack): RTCRtpSender {
    this.tracks.push(track.kind);
    this.log.push(`add ${track.kind}`);
    const sender = {
      track,
      replaced: [] as (MediaStreamTrack | null)[],
      replaceTrack(t: MediaStreamTrack | null) {
        sender.replaced.push(t);
        return Promise.resolve();
      },
    };
    return sender as unknown as RTCRtpSender;
  }

  addTransceiver(kind: string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver {
    this.transceivers.push({ kind, direction: init?.direction ?? 'sendrecv' });
    return {} as RTCRtpTransceiver;
  }

  getTransceivers(): RTCRtpTransceiver[] {
    return [];
  }

  restartIce(): void {
    this.restarts += 1;
    this.log.push('restartIce');
  }

  close(): void {
    this.closed = true;
  }

  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map() as unknown as RTCStatsReport);
  }

  // Events a test fires.
  negotiationNeeded(): void {
    this.onnegotiationneeded?.(new Event('negotiationneeded'));
  }

  gathered(candidate: string): void {
    this.onicecandidate?.({ candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } } as unknown as RTCPeerConnectionIceEvent);
  }

  connection(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.(new Event('connectionstatechange'));
  }

  ice(state: RTCIceConnectionState): void {
    this.iceConnectionState = state;
    this.oniceconnectionstatechange?.(new Event('iceconnectionstatechange'));
  }

  asPeerConnection(): PeerConnectionLike {
    return this as unknown as PeerConnectionLike;
  }
}

/** Lets every pending promise callback run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export function fakeTrack(kind: 'audio' | 'video'): MediaStreamTrack {
  const track = {
    kind,
    enabled: true,
    stopped: false,
    stop() {
      track.stopped = true;
    },
  };
  return track as unknown as MediaStreamTrack;
}

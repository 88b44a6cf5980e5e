// One call's WebRTC connection, negotiated with the "perfect negotiation" pattern (MDN, "Establishing
// a connection: The WebRTC perfect negotiation pattern"): either side may (re)negotiate whenever
// its connection needs it, and when both offer at once the *polite* peer (told by the server in
// `call_state.polite`) rolls back its own offer and answers the other's, while the impolite one
// ignores the offer it received. So adding tracks, switching to a screen, and restarting ICE all go
// through the same `negotiationneeded` → offer → answer path.
//
// The session does not know the socket: it hands the frames to send (without the call id) to
// `send`, and the controller feeds it what the other side sent. Candidates that arrive before
// their remote description wait in a queue (candidates.ts).

import { CandidateQueue, candidateToFrame, type CandidateInit } from './candidates';

/** Frames the session sends; the controller adds the call id. */
export type SessionFrame =
  | { type: 'sdp_offer'; sdp: string }
  | { type: 'sdp_answer'; sdp: string }
  | { type: 'ice_candidate'; candidate: string; sdp_mid?: string; sdp_m_line_index?: number }
  | { type: 'call_connected' };

type Description = { type: RTCSdpType; sdp: string };

/** The part of `RTCPeerConnection` the session uses (a fake in unit tests). */
export interface PeerConnectionLike {
  readonly signalingState: RTCSignalingState;
  readonly connectionState: RTCPeerConnectionState;
  readonly iceConnectionState: RTCIceConnectionState;
  readonly remoteDescription: Description | null;
  readonly localDescription: Description | null;
  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;
  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender;
  addTransceiver(kind: string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver;
  getTransceivers(): RTCRtpTransceiver[];
  restartIce(): void;
  close(): void;
  getStats(): Promise<RTCStatsReport>;
  onnegotiationneeded: ((event: Event) => unknown) | null;
  onicecandidate: ((event: RTCPeerConnectionIceEvent) => unknown) | null;
  ontrack: ((event: RTCTrackEvent) => unknown) | null;
  onconnectionstatechange: ((event: Event) => unknown) | null;
  oniceconnectionstatechange: ((event: Event) => unknown) | null;
}

/**
 * The impolite peer sends its pending offer again when it ignores a colliding one only if it has
 * waited this long for an answer: then the first copy was probably lost (the socket dropped).
 * In an ordinary collision the polite peer already has it, and a second copy would make it
 * renegotiate for nothing.
 */
export const RESEND_OFFER_AFTER_MS = 4000;

export interface CallSessionOptions {
  pc: PeerConnectionLike;
  /** My role from `call_state.polite`; may change (see `polite`). */
  polite: boolean;
  send(frame: SessionFrame): void;
  onConnectionState?(state: RTCPeerConnectionState): void;
  onTrack?(event: RTCTrackEvent): void;
  /** Problems worth a line in the console; negotiation recovers from most of them. */
  log?(message: string, error?: unknown): void;
  /** Milliseconds (Date.now by default). */
  now?(): number;
}

type Kind = 'audio' | 'video';

export class CallSession {
  readonly pc: PeerConnectionLike;
  /** The polite peer rolls back its own offer when offers collide. */
  polite: boolean;
  private readonly options: CallSessionOptions;
  private makingOffer = false;
  private ignoreOffer = false;
  /** Remote descriptions being applied: candidates wait until none is. */
  private applyingRemote = 0;
  private readonly candidates = new CandidateQueue();
  private readonly senders: Partial<Record<Kind, RTCRtpSender>> = {};
  private lastState: RTCPeerConnectionState = 'new';
  private closed = false;
  /** What the other side sent, applied one at a time, in order. */
  private incoming: Promise<void> = Promise.resolve();
  private offerSentAt = 0;
  /** Local media held back until the first remote offer (see `addLocalStream`). */
  private heldStream: { stream: MediaStream | null } | null = null;

  constructor(options: CallSessionOptions) {
    this.options = options;
    this.pc = options.pc;
    this.polite = options.polite;
    const pc = this.pc;
    pc.onnegotiationneeded = () => void this.negotiate();
    pc.onicecandidate = (event) => {
      // A null candidate (or an empty one) ends the gathering; the other side needs no marker.
      const c = event.candidate;
      if (this.closed || !c || !c.candidate) return;
      this.options.send({ type: 'ice_candidate', ...candidateToFrame(c) });
    };
    pc.ontrack = (event) => this.options.onTrack?.(event);
    pc.onconnectionstatechange = () => this.connectionChanged();
    pc.oniceconnectionstatechange = () => {
      if (pc.iceConnectionState === 'failed') this.restartIce();
    };
  }

  /** Candidates waiting for their remote description (for tests and diagnostics). */
  get queuedCandidates(): number {
    return this.candidates.size;
  }

  private log(message: string, error?: unknown): void {
    this.options.log?.(message, error);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private sendDescription(description: Description | null): void {
    if (this.closed || !description) return;
    if (description.type === 'offer') {
      this.offerSentAt = this.now();
      this.options.send({ type: 'sdp_offer', sdp: description.sdp });
    } else if (description.type === 'answer') {
      this.options.send({ type: 'sdp_answer', sdp: description.sdp });
    }
  }

  /**
   * Runs `task` after everything received before it. A description is applied (and answered)
   * completely before the next one, or a candidate, is looked at: two offers in a row never
   * interleave, and a candidate never reaches the description before the one it belongs to.
   */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.incoming.then(task);
    this.incoming = run.catch(() => {});
    return run;
  }

  /** `negotiationneeded`: make an offer (or, if an offer just came in, the answer) and send it. */
  private async negotiate(): Promise<void> {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendDescription(this.pc.localDescription);
    } catch (error) {
      this.log('could not make an offer', error);
    } finally {
      this.makingOffer = false;
    }
  }

  /** An `sdp_offer` or `sdp_answer` from the other side. */
  handleDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    return this.enqueue(() => this.applyDescription(type, sdp));
  }

  private async applyDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    if (this.closed) return;
    const pc = this.pc;
    const offerCollision = type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
    this.ignoreOffer = !this.polite && offerCollision;
    if (this.ignoreOffer) {
      // The polite peer answers our offer instead. If no answer came for a while, it may never
      // have got it (sent on a socket that dropped) and be waiting for one: send it again.
      const stale = this.now() - this.offerSentAt >= RESEND_OFFER_AFTER_MS;
      if (stale && !this.makingOffer && pc.signalingState === 'have-local-offer') this.sendDescription(pc.localDescription);
      return;
    }
    if (type === 'answer' && pc.signalingState !== 'have-local-offer') {
      // The answer to an offer we took back (a restart after a reconnect): nothing to apply.
      return;
    }
    this.applyingRemote += 1;
    try {
      if (offerCollision) {
        // Polite: take our own offer back and apply theirs. Both are queued on the connection's
        // operations chain, in this order, behind an offer still being made.
        await Promise.all([
          pc.setLocalDescription({ type: 'rollback' }).catch((error: unknown) => this.log('rollback failed', error)),
          pc.setRemoteDescription({ type, sdp }),
        ]);
      } else {
        await pc.setRemoteDescription({ type, sdp });
      }
      if (type === 'offer') {
        // Held-back tracks join the transceivers the offer created, so the answer carries them.
        this.releaseLocalStream();
        await pc.setLocalDescription();
        this.sendDescription(pc.localDescription);
      }
    } catch (error) {
      this.log(`could not apply the ${type}`, error);
    } finally {
      this.applyingRemote -= 1;
    }
    await this.flushCandidates();
  }

  /** An `ice_candidate` from the other side: added now, or queued until its description is set. */
  handleCandidate(candidate: CandidateInit): Promise<void> {
    // An empty candidate ends the other side's gathering; nothing needs it.
    if (!candidate.candidate) return Promise.resolve();
    return this.enqueue(() => this.applyCandidate(candidate));
  }

  private async applyCandidate(candidate: CandidateInit): Promise<void> {
    if (this.closed) return;
    if (CandidateQueue.mustWait(this.pc.remoteDescription !== null, this.applyingRemote > 0)) {
      this.candidates.hold(candidate);
      return;
    }
    await this.addCandidate(candidate);
  }

  private async addCandidate(candidate: CandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer we ignored (or took back) do not fit; that is expected.
      if (!this.ignoreOffer) this.log('could not add a candidate', error);
    }
  }

  private async flushCandidates(): Promise<void> {
    if (this.closed || this.applyingRemote > 0 || this.pc.remoteDescription === null) return;
    for (const candidate of this.candidates.drain()) await this.addCandidate(candidate);
  }

  private connectionChanged(): void {
    if (this.closed) return;
    const state = this.pc.connectionState;
    // Media flows: the server starts the call's record (a repeat after an ICE restart is harmless).
    if (state === 'connected' && this.lastState !== 'connected') this.options.send({ type: 'call_connected' });
    if (state === 'failed') this.restartIce();
    this.lastState = state;
    this.options.onConnectionState?.(state);
  }

  /**
   * Restarts ICE (the connection failed, or the signaling socket reconnected and the network may
   * have changed). The new offer goes out through `negotiationneeded`. An offer of ours still
   * waiting for its answer may have been lost with the old socket, so it is taken back first.
   */
  restartIce(): void {
    if (this.closed) return;
    const pc = this.pc;
    if (pc.signalingState === 'have-local-offer' && !this.makingOffer) {
      pc.setLocalDescription({ type: 'rollback' }).catch((error: unknown) => this.log('rollback failed', error));
    }
    pc.restartIce();
  }

  /**
   * Sends the stream's tracks. Without a microphone or a camera the call still receives the
   * other's audio and video.
   *
   * With `afterRemoteOffer` (the callee), the tracks are held back until the caller's first offer
   * has been applied and then go out in the answer, so the two sides do not both offer at the
   * start. Besides costing a round trip, such a collision makes the polite side roll back its
   * first offer just as its connection starts gathering candidates, which can leave Chromium's
   * gathering stalled for good (seen with Chromium 156: no candidates, ICE stays "new", and an
   * ICE restart does not revive it). `releaseLocalStream` sends them anyway.
   */
  addLocalStream(stream: MediaStream | null, options: { afterRemoteOffer?: boolean } = {}): void {
    if (this.closed) return;
    if (options.afterRemoteOffer && this.pc.remoteDescription === null) {
      this.heldStream = { stream };
      return;
    }
    this.heldStream = null;
    this.addTracks(stream);
  }

  /** Sends held-back local media now (no offer came: the caller's may be lost). */
  releaseLocalStream(): void {
    const held = this.heldStream;
    if (!held || this.closed) return;
    this.heldStream = null;
    this.addTracks(held.stream);
  }

  /** Local media held back for the first remote offer. */
  get holdingLocalStream(): boolean {
    return this.heldStream !== null;
  }

  private addTracks(stream: MediaStream | null): void {
    const tracks = stream ? stream.getTracks() : [];
    for (const track of tracks) {
      const kind = track.kind as Kind;
      if (this.senders[kind]) continue;
      this.senders[kind] = stream ? this.pc.addTrack(track, stream) : this.pc.addTrack(track);
    }
    for (const kind of ['audio', 'video'] as const) {
      if (!this.senders[kind] && !this.pc.getTransceivers().some((t) => t.receiver.track.kind === kind)) {
        this.pc.addTransceiver(kind, { direction: 'recvonly' });
      }
    }
  }

  /**
   * Sends another track of the same kind (another camera or microphone, or the screen) without
   * renegotiating. The first track of a kind that was not sent before is added (and negotiated).
   */
  async replaceTrack(kind: Kind, track: MediaStreamTrack | null, stream?: MediaStream): Promise<void> {
    if (this.closed) return;
    const sender = this.senders[kind];
    if (sender) {
      await sender.replaceTrack(track);
    } else if (track) {
      this.senders[kind] = stream ? this.pc.addTrack(track, stream) : this.pc.addTrack(track);
    }
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.candidates.clear();
    const pc = this.pc;
    pc.onnegotiationneeded = null;
    pc.onicecandidate = null;
    pc.ontrack = null;
    pc.onconnectionstatechange = null;
    pc.oniceconnectionstatechange = null;
    try {
      pc.close();
    } catch {
      // already closed
    }
  }
}

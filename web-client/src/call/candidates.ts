// ICE candidates that arrive before the remote description they belong to (trickle ICE: the
// other side sends them as soon as it has them, and the server relays them in order, but the
// description may still be being applied here). `addIceCandidate` refuses a candidate when there
// is no remote description yet, so they wait here and are added, in order, once it is set.
import type { IceCandidateFrame } from '../chat/protocol';

/** A candidate as `RTCPeerConnection.addIceCandidate` takes it. */
export interface CandidateInit {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
}

/** The relayed frame as an `RTCIceCandidateInit`. */
export function candidateFromFrame(frame: Pick<IceCandidateFrame, 'candidate' | 'sdp_mid' | 'sdp_m_line_index'>): CandidateInit {
  return {
    candidate: frame.candidate,
    sdpMid: frame.sdp_mid ?? null,
    sdpMLineIndex: frame.sdp_m_line_index ?? null,
  };
}

/** The frame fields of a local candidate (`RTCPeerConnection`'s `icecandidate` event). */
export function candidateToFrame(c: {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}): { candidate: string; sdp_mid?: string; sdp_m_line_index?: number } {
  const frame: { candidate: string; sdp_mid?: string; sdp_m_line_index?: number } = { candidate: c.candidate };
  if (c.sdpMid !== null && c.sdpMid !== undefined) frame.sdp_mid = c.sdpMid;
  if (c.sdpMLineIndex !== null && c.sdpMLineIndex !== undefined) frame.sdp_m_line_index = c.sdpMLineIndex;
  return frame;
}

/** Candidates held until a remote description is in place. */
export class CandidateQueue {
  private items: CandidateInit[] = [];

  /** Whether a candidate must wait: no remote description yet, or one is being applied. */
  static mustWait(hasRemoteDescription: boolean, applyingRemote: boolean): boolean {
    return !hasRemoteDescription || applyingRemote;
  }

  hold(candidate: CandidateInit): void {
    this.items.push(candidate);
  }

  /** Everything held, oldest first; the queue is empty afterwards. */
  drain(): CandidateInit[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  clear(): void {
    this.items = [];
  }

  get size(): number {
    return this.items.length;
  }
}

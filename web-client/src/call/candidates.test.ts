import { describe, expect, it } from 'vitest';
import { CandidateQueue, candidateFromFrame, candidateToFrame } from './candidates';

describe('CandidateQueue', () => {
  it('holds candidates until drained, in arrival order, then is empty', () => {
    const q = new CandidateQueue();
    q.hold({ candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 });
    q.hold({ candidate: 'candidate:2', sdpMid: '1', sdpMLineIndex: 1 });
    expect(q.size).toBe(2);
    expect(q.drain().map((c) => c.candidate)).toEqual(['candidate:1', 'candidate:2']);
    expect(q.size).toBe(0);
    expect(q.drain()).toEqual([]);
  });

  it('makes candidates wait without a remote description, or while one is being applied', () => {
    expect(CandidateQueue.mustWait(false, false)).toBe(true);
    expect(CandidateQueue.mustWait(true, true)).toBe(true);
    expect(CandidateQueue.mustWait(false, true)).toBe(true);
    expect(CandidateQueue.mustWait(true, false)).toBe(false);
  });

  it('converts between frames and RTCIceCandidateInit', () => {
    expect(candidateFromFrame({ candidate: 'candidate:1 1 udp', sdp_mid: '0', sdp_m_line_index: 0 })).toEqual({
      candidate: 'candidate:1 1 udp',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    expect(candidateFromFrame({ candidate: 'candidate:1' })).toEqual({ candidate: 'candidate:1', sdpMid: null, sdpMLineIndex: null });
    expect(candidateToFrame({ candidate: 'candidate:9', sdpMid: '1', sdpMLineIndex: 1 })).toEqual({
      candidate: 'candidate:9',
      sdp_mid: '1',
      sdp_m_line_index: 1,
    });
    expect(candidateToFrame({ candidate: 'candidate:9', sdpMid: null, sdpMLineIndex: null })).toEqual({ candidate: 'candidate:9' });
  });
});

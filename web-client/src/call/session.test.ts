import { describe, expect, it } from 'vitest';
import { CallSession, type SessionFrame } from './session';
import { FakePeerConnection, fakeTrack, settle } from './testing';

function session(polite: boolean) {
  const pc = new FakePeerConnection();
  const sent: SessionFrame[] = [];
  const problems: string[] = [];
  const clock = { now: 1_000_000 };
  const s = new CallSession({
    pc: pc.asPeerConnection(),
    polite,
    send: (f) => sent.push(f),
    log: (m) => problems.push(m),
    now: () => clock.now,
  });
  return { pc, sent, s, problems, clock };
}

const cand = (n: number) => ({ candidate: `candidate:${n} 1 udp 1 192.0.2.2 ${4000 + n} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

describe('CallSession (perfect negotiation)', () => {
  it('sends an offer when negotiation is needed, and applies the answer', async () => {
    const { pc, sent, s } = session(false);
    pc.negotiationNeeded();
    await settle();
    expect(sent).toEqual([{ type: 'sdp_offer', sdp: 'local offer 1' }]);
    await s.handleDescription('answer', 'their answer');
    expect(pc.signalingState).toBe('stable');
    expect(pc.log).toEqual(['local offer', 'remote answer their answer']);
  });

  it('answers an offer', async () => {
    const { pc, sent, s } = session(true);
    await s.handleDescription('offer', 'their offer');
    expect(sent).toEqual([{ type: 'sdp_answer', sdp: 'answer to their offer' }]);
    expect(pc.signalingState).toBe('stable');
  });

  it('queues candidates that arrive before the remote description and adds them after it, in order', async () => {
    const { pc, s, problems } = session(true);
    await s.handleCandidate(cand(1));
    await s.handleCandidate(cand(2));
    expect(pc.candidates).toEqual([]);
    expect(s.queuedCandidates).toBe(2);
    // The description is being applied: a candidate arriving now waits for it too.
    pc.hold();
    const applying = s.handleDescription('offer', 'their offer');
    const third = s.handleCandidate(cand(3));
    await settle();
    expect(pc.candidates).toEqual([]);
    pc.release();
    await Promise.all([applying, third]);
    await settle();
    expect(s.queuedCandidates).toBe(0);
    expect(pc.candidates).toEqual([cand(1).candidate, cand(2).candidate, cand(3).candidate]);
    // Added after the remote description, never before.
    expect(pc.log.indexOf('remote offer their offer')).toBeLessThan(pc.log.indexOf(`candidate ${cand(1).candidate}`));
    // Later candidates go straight in.
    await s.handleCandidate(cand(4));
    expect(pc.candidates).toHaveLength(4);
    expect(problems).toEqual([]);
  });

  it('ignores the end-of-candidates marker', async () => {
    const { pc, s } = session(true);
    await s.handleDescription('offer', 'o');
    await s.handleCandidate({ candidate: '', sdpMid: null, sdpMLineIndex: null });
    expect(pc.candidates).toEqual([]);
    expect(s.queuedCandidates).toBe(0);
  });

  it('polite: on colliding offers, rolls back its own offer and answers theirs', async () => {
    const { pc, sent, s } = session(true);
    pc.negotiationNeeded();
    await settle();
    expect(pc.signalingState).toBe('have-local-offer');
    await s.handleDescription('offer', 'their offer');
    expect(pc.log).toEqual(['local offer', 'rollback', 'remote offer their offer', 'local answer']);
    expect(sent).toEqual([
      { type: 'sdp_offer', sdp: 'local offer 1' },
      { type: 'sdp_answer', sdp: 'answer to their offer' },
    ]);
  });

  it('polite: a collision while its offer is still being made also rolls it back', async () => {
    const { pc, s } = session(true);
    pc.negotiationNeeded(); // makingOffer, signaling still stable
    await s.handleDescription('offer', 'their offer');
    await settle();
    expect(pc.log).toEqual(['local offer', 'rollback', 'remote offer their offer', 'local answer']);
    expect(pc.signalingState).toBe('stable');
  });

  it('impolite: ignores a colliding offer (and its candidates)', async () => {
    const { pc, sent, s, problems } = session(false);
    pc.negotiationNeeded();
    await settle();
    await s.handleDescription('offer', 'their offer');
    expect(pc.log).toEqual(['local offer']);
    // The polite side has our offer and answers it: no second copy.
    expect(sent).toEqual([{ type: 'sdp_offer', sdp: 'local offer 1' }]);
    // Their candidates wait (no remote description); the answer to our offer then lets them in.
    await s.handleCandidate(cand(1));
    await s.handleDescription('answer', 'their answer');
    await settle();
    expect(pc.signalingState).toBe('stable');
    expect(pc.candidates).toEqual([cand(1).candidate]);
    expect(problems).toEqual([]);
  });

  it('impolite: sends its offer again when it has waited long for an answer (the first may be lost)', async () => {
    const { pc, sent, s, clock } = session(false);
    pc.negotiationNeeded();
    await settle();
    clock.now += 10_000;
    await s.handleDescription('offer', 'their restart offer');
    expect(pc.log).toEqual(['local offer']);
    expect(sent).toEqual([
      { type: 'sdp_offer', sdp: 'local offer 1' },
      { type: 'sdp_offer', sdp: 'local offer 1' },
    ]);
  });

  it('applies descriptions one at a time, in order', async () => {
    const { pc, sent, s } = session(true);
    pc.hold();
    const first = s.handleDescription('offer', 'one');
    const second = s.handleDescription('offer', 'two');
    pc.release();
    await Promise.all([first, second]);
    expect(pc.log).toEqual(['remote offer one', 'local answer', 'remote offer two', 'local answer']);
    expect(sent.map((f) => f.type)).toEqual(['sdp_answer', 'sdp_answer']);
  });

  it('ignores an answer when no offer of ours is waiting for one', async () => {
    const { pc, s, problems } = session(false);
    await s.handleDescription('answer', 'stale');
    expect(pc.log).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('sends local candidates, and call_connected once per connection', () => {
    const { pc, sent } = session(true);
    pc.gathered('candidate:1 1 udp 1 192.0.2.2 5000 typ host');
    pc.gathered('');
    pc.connection('connecting');
    pc.connection('connected');
    pc.connection('connected');
    pc.connection('disconnected');
    pc.connection('connected');
    expect(sent).toEqual([
      { type: 'ice_candidate', candidate: 'candidate:1 1 udp 1 192.0.2.2 5000 typ host', sdp_mid: '0', sdp_m_line_index: 0 },
      { type: 'call_connected' },
      { type: 'call_connected' },
    ]);
  });

  it('restarts ICE when the connection or ICE fails', () => {
    const { pc } = session(true);
    pc.connection('failed');
    expect(pc.restarts).toBe(1);
    pc.ice('failed');
    expect(pc.restarts).toBe(2);
  });

  it('on a restart, takes back an offer that may have been lost first', async () => {
    const { pc, s } = session(false);
    pc.negotiationNeeded();
    await settle();
    s.restartIce();
    await settle();
    expect(pc.log).toEqual(['local offer', 'restartIce', 'rollback']);
    expect(pc.signalingState).toBe('stable');
  });

  it('sends local tracks, receives what it does not send, and replaces tracks without renegotiating', async () => {
    const { pc, s } = session(true);
    const audio = fakeTrack('audio');
    const stream = { getTracks: () => [audio] } as unknown as MediaStream;
    s.addLocalStream(stream);
    expect(pc.tracks).toEqual(['audio']);
    expect(pc.transceivers).toEqual([{ kind: 'video', direction: 'recvonly' }]);
    const other = fakeTrack('audio');
    await s.replaceTrack('audio', other);
    expect(pc.tracks).toEqual(['audio']);
    const screen = fakeTrack('video');
    await s.replaceTrack('video', screen);
    expect(pc.tracks).toEqual(['audio', 'video']);
  });

  it('callee: holds its media back until the first offer, then answers with it', async () => {
    const { pc, s, sent } = session(true);
    const stream = { getTracks: () => [fakeTrack('audio'), fakeTrack('video')] } as unknown as MediaStream;
    s.addLocalStream(stream, { afterRemoteOffer: true });
    expect(pc.tracks).toEqual([]);
    expect(s.holdingLocalStream).toBe(true);
    await s.handleDescription('offer', 'their offer');
    expect(pc.log).toEqual(['remote offer their offer', 'add audio', 'add video', 'local answer']);
    expect(sent).toEqual([{ type: 'sdp_answer', sdp: 'answer to their offer' }]);
    expect(s.holdingLocalStream).toBe(false);
  });

  it('sends held-back media when asked (no offer came)', () => {
    const { pc, s } = session(true);
    const stream = { getTracks: () => [fakeTrack('audio'), fakeTrack('video')] } as unknown as MediaStream;
    s.addLocalStream(stream, { afterRemoteOffer: true });
    s.releaseLocalStream();
    expect(pc.tracks).toEqual(['audio', 'video']);
    s.releaseLocalStream();
    expect(pc.tracks).toEqual(['audio', 'video']);
  });

  it('stops everything on close', async () => {
    const { pc, s, sent } = session(true);
    s.close();
    expect(pc.closed).toBe(true);
    pc.gathered('candidate:1');
    await s.handleDescription('offer', 'x');
    expect(sent).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { CallListener, ChatClient } from '../chat/client';
import type { CallClientFrame, CallServerFrame } from '../chat/protocol';
import { CallController, type CallEnvironment } from './controller';
import type { MediaDevicesLike } from './media';
import { FakePeerConnection, fakeTrack, settle } from './testing';

const ME = 'user-me';
const THEM = 'user-them';
const PEER = { id: THEM, name: 'Nia', channel: 'ch-1' };

class FakeStream {
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
  addTrack(t: MediaStreamTrack) {
    this.tracks.push(t);
  }
  removeTrack(t: MediaStreamTrack) {
    this.tracks = this.tracks.filter((x) => x !== t);
  }
}

function setup() {
  const listeners: CallListener[] = [];
  const sent: CallClientFrame[] = [];
  let up = true;
  const chat = {
    addCallListener(l: CallListener) {
      listeners.push(l);
      return () => {};
    },
    sendCall(frame: CallClientFrame) {
      if (!up) return false;
      sent.push(frame);
      return true;
    },
    getState: () => ({ userId: ME }),
  } as unknown as ChatClient;
  const pcs: FakePeerConnection[] = [];
  const tracks: MediaStreamTrack[] = [];
  const devices: MediaDevicesLike = {
    getUserMedia: (c) => {
      const made = [...(c.audio ? [fakeTrack('audio')] : []), ...(c.video ? [fakeTrack('video')] : [])];
      tracks.push(...made);
      return Promise.resolve(new FakeStream(made) as unknown as MediaStream);
    },
    enumerateDevices: () => Promise.resolve([]),
  };
  let ids = 0;
  const env: Partial<CallEnvironment> = {
    mediaDevices: devices,
    createPeerConnection: () => {
      const pc = new FakePeerConnection();
      pcs.push(pc);
      return pc.asPeerConnection();
    },
    createStream: (t) => new FakeStream(t) as unknown as MediaStream,
    iceServers: () => Promise.resolve([]),
    newId: () => `call-${++ids}`,
    setTimeout: () => 0,
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
    log: () => {},
  };
  const controller = new CallController(chat, () => PEER, env);
  const receive = (frame: CallServerFrame) => listeners.forEach((l) => l.frame?.(frame));
  return {
    controller,
    sent,
    pcs,
    tracks,
    receive,
    reconnect: () => listeners.forEach((l) => l.connected?.(true)),
    setUp: (value: boolean) => (up = value),
    types: () => sent.map((f) => f.type),
  };
}

describe('CallController', () => {
  it('caller: invites, negotiates once answered, reports the connection, hangs up and stops the tracks', async () => {
    const w = setup();
    w.controller.start(PEER);
    expect(w.sent).toEqual([{ type: 'call_invite', call: 'call-1', to: THEM }]);
    await settle();
    expect(w.controller.getView().localStream).not.toBeNull();
    w.receive({ type: 'call_state', call: 'call-1', caller: ME, callee: THEM, state: 'inviting', polite: false });
    // A candidate racing ahead of the session waits for it.
    w.receive({ type: 'call_accept', call: 'call-1', by: THEM });
    w.receive({ type: 'ice_candidate', call: 'call-1', from: THEM, candidate: 'candidate:1 1 udp 1 192.0.2.2 5000 typ host', sdp_mid: '0', sdp_m_line_index: 0 });
    await settle();
    const pc = w.pcs[0];
    if (!pc) throw new Error('no peer connection');
    expect(pc.tracks).toEqual(['audio', 'video']);
    pc.negotiationNeeded();
    await settle();
    expect(w.sent[w.sent.length - 1]).toEqual({ type: 'sdp_offer', call: 'call-1', sdp: 'local offer 1' });
    w.receive({ type: 'sdp_answer', call: 'call-1', from: THEM, sdp: 'their answer' });
    await settle();
    expect(pc.candidates).toEqual(['candidate:1 1 udp 1 192.0.2.2 5000 typ host']);
    pc.connection('connected');
    expect(w.types()).toContain('call_connected');
    expect(w.controller.getView().ui.phase).toBe('in_call');
    // Mute and camera off.
    w.controller.toggleMicrophone();
    w.controller.toggleCamera();
    expect(w.controller.getView()).toMatchObject({ micMuted: true, cameraOff: true });
    expect(w.tracks.map((t) => t.enabled)).toEqual([false, false]);
    // The socket came back: ICE starts over.
    w.reconnect();
    expect(pc.restarts).toBe(1);
    w.controller.hangUp();
    expect(w.sent[w.sent.length - 1]).toEqual({ type: 'call_hangup', call: 'call-1' });
    expect(pc.closed).toBe(true);
    expect(w.tracks.every((t) => (t as unknown as { stopped: boolean }).stopped)).toBe(true);
    expect(w.controller.getView()).toMatchObject({ localStream: null, remoteStream: null, micMuted: false });
    expect(w.controller.getView().ui.ended?.message).toBe('Call ended');
  });

  it('callee: rings, and answers once the camera and microphone are open', async () => {
    const w = setup();
    w.receive({ type: 'call_invite', call: 'c9', from: THEM, to: ME });
    expect(w.controller.getView().ui).toMatchObject({ phase: 'incoming', peer: PEER });
    expect(w.types()).toEqual(['call_ringing']);
    const accepting = w.controller.accept();
    expect(w.types()).toEqual(['call_ringing']);
    await accepting;
    expect(w.types()).toEqual(['call_ringing', 'call_accept']);
    await settle();
    expect(w.pcs).toHaveLength(1);
    const pc = w.pcs[0];
    if (!pc) throw new Error('no peer connection');
    // The callee does not offer: its media waits for the caller's offer and goes in the answer.
    expect(pc.tracks).toEqual([]);
    w.receive({ type: 'sdp_offer', call: 'c9', from: THEM, sdp: 'their offer' });
    await settle();
    expect(pc.tracks).toEqual(['audio', 'video']);
    expect(w.sent[w.sent.length - 1]).toEqual({ type: 'sdp_answer', call: 'c9', sdp: 'answer to their offer' });
    expect(w.types()).not.toContain('sdp_offer');
  });

  it('ends at once when the invitation cannot be sent', () => {
    const w = setup();
    w.setUp(false);
    w.controller.start(PEER);
    expect(w.controller.getView().ui.phase).toBe('ended');
    expect(w.controller.getView().ui.ended?.message).toMatch(/offline/);
  });
});

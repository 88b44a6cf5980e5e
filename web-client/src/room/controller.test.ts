import { describe, expect, it } from 'vitest';
import type { RoomClientFrame, RoomServerFrame } from '../chat/protocol';
import type { MediaDevicesLike } from '../call/media';
import { settle } from '../call/testing';
import { RoomController, type RoomChat, type RoomEnvironment } from './controller';
import { EVENT, FakeRoomPeerConnection, FakeStream, fakeMediaTrack, roomState, track, you, type FakeTransceiver } from './testing';

function setup(options: { camera?: boolean; microphone?: boolean } = {}) {
  const listeners: { frame?(f: RoomServerFrame): void; connected?(resumed: boolean): void }[] = [];
  const sent: RoomClientFrame[] = [];
  let up = true;
  const chat: RoomChat = {
    addRoomListener(l) {
      listeners.push(l);
      return () => {};
    },
    sendRoom(frame) {
      if (!up) return false;
      sent.push(frame);
      return true;
    },
  };
  const pcs: FakeRoomPeerConnection[] = [];
  const opened: MediaStreamTrack[] = [];
  const camera = options.camera ?? true;
  const microphone = options.microphone ?? true;
  const devices: MediaDevicesLike = {
    getUserMedia: (c) => {
      if ((c.video && !camera) || (c.audio && !microphone)) return Promise.reject(new Error('NotFoundError'));
      const made = [...(c.audio ? [fakeMediaTrack('audio')] : []), ...(c.video ? [fakeMediaTrack('video')] : [])];
      opened.push(...made);
      return Promise.resolve(new FakeStream(made) as unknown as MediaStream);
    },
    getDisplayMedia: () => {
      const screen = fakeMediaTrack('video', 'screen');
      opened.push(screen);
      return Promise.resolve(new FakeStream([screen]) as unknown as MediaStream);
    },
    enumerateDevices: () => Promise.resolve([]),
  };
  const env: Partial<RoomEnvironment> = {
    mediaDevices: devices,
    createPeerConnection: (config) => {
      const pc = new FakeRoomPeerConnection(config);
      pcs.push(pc);
      return pc.asPeerConnection();
    },
    createStream: (tracks) => new FakeStream(tracks) as unknown as MediaStream,
    iceServers: () => Promise.resolve([{ urls: 'turn:turn.example:3478', username: 'u', credential: 'c' }]),
    log: () => {},
  };
  const controller = new RoomController(chat, EVENT, env);
  const receive = (frame: RoomServerFrame) => listeners.forEach((l) => l.frame?.(frame));
  return {
    controller,
    sent,
    pcs,
    opened,
    receive,
    reconnect: () => listeners.forEach((l) => l.connected?.(true)),
    setUp: (value: boolean) => {
      up = value;
    },
    types: () => sent.map((f) => f.type),
    last: <T extends RoomClientFrame['type']>(type: T) =>
      [...sent].reverse().find((f) => f.type === type) as Extract<RoomClientFrame, { type: T }> | undefined,
  };
}

async function onStage(role: 'host' | 'speaker' = 'speaker', options: { camera?: boolean; microphone?: boolean } = {}) {
  const t = setup(options);
  t.controller.join();
  t.receive(roomState({ you: you({ role }) }));
  await settle();
  const publisher = t.pcs.find((pc) => pc.transceivers.length > 0) ?? t.pcs[0];
  if (!publisher) throw new Error('no publish connection');
  return { ...t, publisher };
}

describe('RoomController: subscribing', () => {
  it('answers every room_offer on one connection, and files tracks by mid', async () => {
    const t = setup();
    t.controller.join();
    expect(t.types()).toEqual(['room_join']);
    t.receive(roomState());
    expect(t.controller.getView().ui.phase).toBe('live');
    t.receive({
      type: 'room_offer',
      event: EVENT,
      sdp: 'offer A',
      tracks: [track('0', 'ada', 'video', 'camera'), track('1', 'ada', 'audio', 'microphone')],
    });
    await settle();
    expect(t.pcs).toHaveLength(1);
    const pc = t.pcs[0]!;
    expect(pc.config.iceServers).toEqual([{ urls: 'turn:turn.example:3478', username: 'u', credential: 'c' }]);
    expect(pc.log).toEqual(['remote offer offer A', 'create answer', 'local answer']);
    expect(t.last('room_answer')).toEqual({ type: 'room_answer', event: EVENT, sdp: 'answer to offer A' });

    const video = pc.track('0', 'video');
    pc.track('1', 'audio');
    const received = t.controller.getView().received;
    expect([...received.keys()]).toEqual(['0', '1']);
    expect((received.get('0') as unknown as FakeStream).getTracks()).toEqual([video]);

    t.receive({ type: 'room_offer', event: EVENT, sdp: 'offer B', tracks: [track('0', 'ada', 'video', 'camera')] });
    await settle();
    expect(t.pcs).toHaveLength(1);
    expect(t.last('room_answer')?.sdp).toBe('answer to offer B');
    expect(t.controller.getView().ui.tracks).toEqual([track('0', 'ada', 'video', 'camera')]);
  });

  it('applies offers one at a time, in order', async () => {
    const t = setup();
    t.controller.join();
    t.receive(roomState());
    t.receive({ type: 'room_offer', event: EVENT, sdp: 'one', tracks: [] });
    t.receive({ type: 'room_offer', event: EVENT, sdp: 'two', tracks: [] });
    await settle();
    await settle();
    expect(t.sent.filter((f) => f.type === 'room_answer').map((f) => (f as { sdp: string }).sdp)).toEqual([
      'answer to one',
      'answer to two',
    ]);
  });

  it('sends no candidates and never publishes from the audience', async () => {
    const t = setup();
    t.controller.join();
    t.receive(roomState());
    await settle();
    expect(t.pcs).toHaveLength(0);
    expect(t.opened).toHaveLength(0);
    expect(t.types()).toEqual(['room_join']);
  });

  it('room_left closes everything and says why', async () => {
    const t = await onStage();
    t.receive({ type: 'room_offer', event: EVENT, sdp: 'o', tracks: [] });
    await settle();
    t.receive({ type: 'room_left', event: EVENT, reason: 'removed' });
    expect(t.pcs.every((pc) => pc.closed)).toBe(true);
    expect(t.opened.every((tr) => (tr as unknown as { stopped: boolean }).stopped)).toBe(true);
    const view = t.controller.getView();
    expect(view.ui.left?.message).toBe('The host removed you from this event.');
    expect(view.publishing).toBe(false);
    expect(view.received.size).toBe(0);
  });
});

describe('RoomController: publishing', () => {
  it('on stage: camera in three simulcast layers and the microphone, sources by mid', async () => {
    const t = await onStage();
    const pub = t.publisher;
    expect(pub.transceivers.map((x: FakeTransceiver) => [x.kind, x.direction])).toEqual([
      ['video', 'sendonly'],
      ['audio', 'sendonly'],
    ]);
    expect(pub.transceivers[0]?.init?.sendEncodings?.map((e) => e.rid)).toEqual(['l', 'm', 'h']);
    expect(pub.transceivers[1]?.init?.sendEncodings).toBeUndefined();
    expect(pub.onnegotiationneeded).toBeNull();
    const publish = t.last('room_publish');
    expect(publish).toMatchObject({ event: EVENT, sdp: 'offer 1', sources: { '0': 'camera', '1': 'microphone' } });
    const view = t.controller.getView();
    expect(view).toMatchObject({ publishing: true, hasCamera: true, hasMicrophone: true });
    expect(view.localStream).not.toBeNull();

    t.receive({ type: 'room_publish_answer', event: EVENT, sdp: 'sfu answer' });
    await settle();
    expect(pub.signalingState).toBe('stable');
    expect(pub.remoteDescription?.sdp).toBe('sfu answer');
  });

  it('the host publishes too', async () => {
    const t = await onStage('host');
    expect(t.last('room_publish')?.sources).toEqual({ '0': 'camera', '1': 'microphone' });
  });

  it('without a camera: the microphone alone, and a notice', async () => {
    const t = await onStage('speaker', { camera: false });
    expect(t.last('room_publish')?.sources).toEqual({ '0': 'microphone' });
    expect(t.controller.getView()).toMatchObject({ hasCamera: false, hasMicrophone: true, localStream: null });
    expect(t.controller.getView().mediaNotice).toMatch(/No camera/);
  });

  it('mutes and unmutes my microphone and camera', async () => {
    const t = await onStage();
    const [mic] = t.opened.filter((x) => x.kind === 'audio');
    t.controller.toggleMicrophone();
    expect(mic?.enabled).toBe(false);
    expect(t.controller.getView().micMuted).toBe(true);
    t.controller.toggleMicrophone();
    expect(mic?.enabled).toBe(true);
    t.controller.toggleCamera();
    expect(t.controller.getView().cameraOff).toBe(true);
  });

  it('shares a screen as a third transceiver and offers again after the answer', async () => {
    const t = await onStage();
    await t.controller.shareScreen();
    // The first offer is still out: the second waits for its answer.
    expect(t.sent.filter((f) => f.type === 'room_publish')).toHaveLength(1);
    t.receive({ type: 'room_publish_answer', event: EVENT, sdp: 'answer 1' });
    await settle();
    expect(t.publisher.transceivers.map((x: FakeTransceiver) => [x.kind, x.direction])).toEqual([
      ['video', 'sendonly'],
      ['audio', 'sendonly'],
      ['video', 'sendonly'],
    ]);
    expect(t.last('room_publish')?.sources).toEqual({ '0': 'camera', '1': 'microphone', '2': 'screen' });
    expect(t.controller.getView().sharing).toBe(true);

    t.receive({ type: 'room_publish_answer', event: EVENT, sdp: 'answer 2' });
    await settle();
    await t.controller.stopSharing();
    const screen = t.publisher.transceivers[2]!;
    expect(screen.direction).toBe('inactive');
    expect(screen.sender.track).toBeNull();
    expect(t.last('room_publish')?.sources).toEqual({ '0': 'camera', '1': 'microphone' });
    expect(t.controller.getView().sharing).toBe(false);

    // Sharing again uses the same transceiver.
    t.receive({ type: 'room_publish_answer', event: EVENT, sdp: 'answer 3' });
    await settle();
    await t.controller.shareScreen();
    await settle();
    expect(t.publisher.transceivers).toHaveLength(3);
    expect(t.last('room_publish')?.sources).toEqual({ '0': 'camera', '1': 'microphone', '2': 'screen' });
  });

  it('sent back to the audience: stops my tracks and closes the publish connection', async () => {
    const t = await onStage();
    t.receive(roomState({ you: you({ role: 'audience' }) }));
    expect(t.publisher.closed).toBe(true);
    expect(t.opened.every((x) => (x as unknown as { stopped: boolean }).stopped)).toBe(true);
    expect(t.controller.getView()).toMatchObject({ publishing: false, localStream: null });
    // Brought on stage again: a new publish connection.
    t.receive(roomState({ you: you({ role: 'speaker' }) }));
    await settle();
    expect(t.pcs.filter((pc) => pc.transceivers.length > 0)).toHaveLength(2);
  });

  it('a camera that opens after leaving the stage is closed at once', async () => {
    const t = setup();
    t.controller.join();
    t.receive(roomState({ you: you({ role: 'speaker' }) }));
    t.receive(roomState({ you: you({ role: 'audience' }) }));
    await settle();
    expect(t.pcs).toHaveLength(0);
    expect(t.opened.every((x) => (x as unknown as { stopped: boolean }).stopped)).toBe(true);
  });

  it('a refused publish stops it and says why; retry publishes again', async () => {
    const t = await onStage();
    const ref = t.last('room_publish')?.ref;
    expect(ref).toBeTruthy();
    t.receive({ type: 'room_error', event: EVENT, ref, code: 'unavailable', message: 'sfu down' });
    expect(t.publisher.closed).toBe(true);
    expect(t.controller.getView()).toMatchObject({ publishFailed: true, publishing: false });
    expect(t.controller.getView().mediaNotice).toMatch(/cannot be reached/);
    // A later room_state does not start it again by itself.
    t.receive(roomState({ you: you({ role: 'speaker' }) }));
    await settle();
    expect(t.sent.filter((f) => f.type === 'room_publish')).toHaveLength(1);
    t.controller.retryPublishing();
    await settle();
    expect(t.sent.filter((f) => f.type === 'room_publish')).toHaveLength(2);
  });
});

describe('RoomController: the room', () => {
  it('host controls send their frames', () => {
    const t = setup();
    t.controller.join();
    t.receive(roomState({ you: you({ role: 'host' }), status: 'lobby' }));
    t.controller.open();
    t.controller.admit('ada');
    t.controller.lock(true);
    t.controller.stage('ada', true);
    t.controller.mute('ada', true);
    t.controller.remove('ada');
    t.controller.end();
    expect(t.sent.slice(1)).toEqual([
      { type: 'room_open', event: EVENT },
      { type: 'room_admit', event: EVENT, user: 'ada' },
      { type: 'room_lock', event: EVENT, locked: true },
      { type: 'room_stage', event: EVENT, user: 'ada', on_stage: true },
      { type: 'room_mute', event: EVENT, user: 'ada', muted: true },
      { type: 'room_remove', event: EVENT, user: 'ada' },
      { type: 'room_end', event: EVENT },
    ]);
  });

  it('raises and lowers a hand, and leaves', () => {
    const t = setup();
    t.controller.join();
    t.receive(roomState());
    t.controller.raiseHand(true);
    t.controller.raiseHand(false);
    t.controller.leave();
    expect(t.sent.slice(1)).toEqual([
      { type: 'room_hand', event: EVENT, raised: true },
      { type: 'room_hand', event: EVENT, raised: false },
      { type: 'room_leave', event: EVENT },
    ]);
    expect(t.controller.getView().ui.phase).toBe('idle');
  });

  it('joining while offline says so', () => {
    const t = setup();
    t.setUp(false);
    t.controller.join();
    expect(t.controller.getView().ui).toMatchObject({ phase: 'idle', error: { code: 'offline' } });
  });

  it('after the socket reconnects: new connections, joined again', async () => {
    const t = await onStage();
    t.receive({ type: 'room_offer', event: EVENT, sdp: 'o', tracks: [] });
    await settle();
    const before = t.pcs.length;
    t.reconnect();
    expect(t.pcs.every((pc) => pc.closed)).toBe(true);
    expect(t.types().filter((x) => x === 'room_join')).toHaveLength(2);
    t.receive(roomState({ you: you({ role: 'speaker' }) }));
    t.receive({ type: 'room_offer', event: EVENT, sdp: 'o2', tracks: [] });
    await settle();
    expect(t.pcs.length).toBe(before + 2);
    expect(t.last('room_answer')?.sdp).toBe('answer to o2');
  });

  it('dispose leaves the room', async () => {
    const t = await onStage();
    t.controller.dispose();
    expect(t.types()).toContain('room_leave');
    expect(t.publisher.closed).toBe(true);
  });
});

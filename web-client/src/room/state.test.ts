import { describe, expect, it } from 'vitest';
import type { RoomServerFrame } from '../chat/protocol';
import {
  audiencePeople,
  errorText,
  initialRoom,
  leftText,
  lobbyPeople,
  reduceRoom,
  shouldPublish,
  speakingCaption,
  stagePeople,
  type RoomAction,
  type RoomEffect,
  type RoomUi,
} from './state';
import { EVENT, ME, person, roomState, track, you } from './testing';

function run(state: RoomUi, ...actions: RoomAction[]): { state: RoomUi; effects: RoomEffect[] } {
  let effects: RoomEffect[] = [];
  for (const action of actions) {
    const step = reduceRoom(state, action);
    state = step.state;
    effects = step.effects;
  }
  return { state, effects };
}

function frame(f: RoomServerFrame): RoomAction {
  return { type: 'frame', frame: f };
}

const IDLE = initialRoom(EVENT);
const joining = run(IDLE, { type: 'join' }).state;
const live = run(joining, frame(roomState())).state;

describe('room reducer', () => {
  it('joins: sends room_join, waits in the lobby, then goes live when admitted', () => {
    const joined = run(IDLE, { type: 'join' });
    expect(joined.state.phase).toBe('joining');
    expect(joined.effects).toEqual([{ type: 'send', frame: { type: 'room_join', event: EVENT } }]);
    // Not twice.
    expect(run(joined.state, { type: 'join' }).effects).toEqual([]);

    const lobby = run(joined.state, frame(roomState({ status: 'lobby', you: you({ admitted: false }), people: [] }))).state;
    expect(lobby.phase).toBe('lobby');
    expect(lobby.status).toBe('lobby');

    const admitted = run(lobby, frame(roomState({ active_speaker: 'ada', locked: true }))).state;
    expect(admitted).toMatchObject({ phase: 'live', status: 'live', locked: true, activeSpeaker: 'ada' });
    expect(admitted.you).toEqual(you());
  });

  it('ignores frames of other events, and frames while outside', () => {
    expect(run(live, frame({ type: 'room_speaker', event: 'other', user: 'ada' })).state).toBe(live);
    expect(run(IDLE, frame(roomState())).state).toBe(IDLE);
    expect(run(IDLE, frame({ type: 'room_offer', event: EVENT, sdp: 'x', tracks: [] })).effects).toEqual([]);
  });

  it('follows the active speaker, and nobody when the user is absent', () => {
    let s = run(live, frame({ type: 'room_speaker', event: EVENT, user: 'ada' })).state;
    expect(s.activeSpeaker).toBe('ada');
    s = run(s, frame({ type: 'room_speaker', event: EVENT })).state;
    expect(s.activeSpeaker).toBeNull();
    // room_state without active_speaker: nobody.
    s = run(run(s, frame({ type: 'room_speaker', event: EVENT, user: 'ada' })).state, frame(roomState())).state;
    expect(s.activeSpeaker).toBeNull();
  });

  it('keeps the offer’s tracks and asks for the answer', () => {
    const tracks = [track('0', 'ada', 'video', 'camera'), track('1', 'ada', 'audio', 'microphone')];
    const { state, effects } = run(live, frame({ type: 'room_offer', event: EVENT, sdp: 'v=0 offer', tracks }));
    expect(state.tracks).toEqual(tracks);
    expect(effects).toEqual([{ type: 'subscribe', sdp: 'v=0 offer' }]);
    // A later room_state keeps them.
    expect(run(state, frame(roomState())).state.tracks).toEqual(tracks);
  });

  it('hands the publish answer on', () => {
    expect(run(live, frame({ type: 'room_publish_answer', event: EVENT, sdp: 'answer' })).effects).toEqual([
      { type: 'publish_answer', sdp: 'answer' },
    ]);
  });

  it.each([
    ['removed', 'The host removed you from this event.'],
    ['ended', 'The event has ended.'],
    ['elsewhere', 'You joined this room from another tab.'],
  ] as const)('room_left %s: out of the room, says why, stops the media', (reason, message) => {
    const { state, effects } = run(live, frame({ type: 'room_left', event: EVENT, reason }));
    expect(state.phase).toBe('idle');
    expect(state.left).toEqual({ reason, message });
    expect(state.people).toEqual([]);
    expect(effects).toEqual([{ type: 'stop' }]);
  });

  it('an ended room_state is the end of the event', () => {
    const { state, effects } = run(live, frame(roomState({ status: 'ended' })));
    expect(state).toMatchObject({ phase: 'idle', status: 'ended', left: { reason: 'ended' } });
    expect(effects).toEqual([{ type: 'stop' }]);
  });

  it('leaves: sends room_leave and stops', () => {
    const { state, effects } = run(live, { type: 'leave' });
    expect(state.phase).toBe('idle');
    expect(state.left?.reason).toBe('left');
    expect(effects).toEqual([{ type: 'send', frame: { type: 'room_leave', event: EVENT } }, { type: 'stop' }]);
    expect(run(IDLE, { type: 'leave' }).effects).toEqual([]);
  });

  it('a refused join says why and leaves me outside', () => {
    const { state, effects } = run(
      joining,
      frame({ type: 'room_error', event: EVENT, ref: 'r1', code: 'locked', message: 'room is locked' }),
    );
    expect(state.phase).toBe('idle');
    expect(state.error).toEqual({ code: 'locked', message: errorText('locked') });
    expect(effects).toEqual([{ type: 'refused', ref: 'r1', code: 'locked' }, { type: 'stop' }]);
    // Joining again clears it.
    expect(run(state, { type: 'join' }).state.error).toBeNull();
  });

  it('a refused control in the room is shown and changes nothing else', () => {
    const { state, effects } = run(live, frame({ type: 'room_error', event: EVENT, code: 'forbidden', message: '' }));
    expect(state.phase).toBe('live');
    expect(state.error?.code).toBe('forbidden');
    expect(effects).toEqual([]);
    expect(run(state, { type: 'dismiss' }).state.error).toBeNull();
  });

  it('sends host controls and hands as they are', () => {
    const f = { type: 'room_stage', event: EVENT, user: 'ada', on_stage: true } as const;
    expect(run(live, { type: 'control', frame: f }).effects).toEqual([{ type: 'send', frame: f }]);
    expect(run(IDLE, { type: 'control', frame: f }).effects).toEqual([]);
  });

  it('a join that could not be sent: offline', () => {
    const { state } = run(joining, { type: 'unsent', frame: { type: 'room_join', event: EVENT } });
    expect(state.phase).toBe('idle');
    expect(state.error?.code).toBe('offline');
    const control = run(live, { type: 'unsent', frame: { type: 'room_hand', event: EVENT, raised: true } }).state;
    expect(control.phase).toBe('live');
    expect(control.error?.code).toBe('offline');
  });

  it('after a reconnect: stops the old media and joins again', () => {
    const withTracks = run(live, frame({ type: 'room_offer', event: EVENT, sdp: 'o', tracks: [track('0', 'a', 'audio', 'microphone')] })).state;
    const { state, effects } = run(withTracks, { type: 'reconnected' });
    expect(state).toMatchObject({ phase: 'joining', rejoining: true, tracks: [] });
    expect(state.people).toEqual(live.people);
    expect(effects).toEqual([{ type: 'stop' }, { type: 'send', frame: { type: 'room_join', event: EVENT } }]);
    expect(run(state, frame(roomState())).state).toMatchObject({ phase: 'live', rejoining: false });
    expect(run(IDLE, { type: 'reconnected' }).effects).toEqual([]);
  });

  it('after the room was reset (its media server restarted): stops the old media and joins again', () => {
    const withTracks = run(live, frame({ type: 'room_offer', event: EVENT, sdp: 'o', tracks: [track('0', 'a', 'audio', 'microphone')] })).state;
    const { state, effects } = run(withTracks, frame({ type: 'room_reset', event: EVENT }));
    expect(state).toMatchObject({ phase: 'joining', rejoining: true, tracks: [], activeSpeaker: null });
    expect(effects).toEqual([{ type: 'stop' }, { type: 'send', frame: { type: 'room_join', event: EVENT } }]);
    expect(run(state, frame(roomState())).state).toMatchObject({ phase: 'live', rejoining: false });
    // Another event's reset, or one after I left, changes nothing.
    expect(run(live, frame({ type: 'room_reset', event: 'other' })).effects).toEqual([]);
    expect(run(IDLE, frame({ type: 'room_reset', event: EVENT })).effects).toEqual([]);
  });

  it('publishes only while admitted on stage in a live room', () => {
    expect(shouldPublish(live)).toBe(false);
    const speaker = run(joining, frame(roomState({ you: you({ role: 'speaker' }) }))).state;
    expect(shouldPublish(speaker)).toBe(true);
    const host = run(joining, frame(roomState({ you: you({ role: 'host' }), status: 'lobby' }))).state;
    expect(shouldPublish(host)).toBe(true);
    const waiting = run(joining, frame(roomState({ you: you({ role: 'speaker', admitted: false }) }))).state;
    expect(shouldPublish(waiting)).toBe(false);
    const back = run(speaker, frame(roomState({ you: you({ role: 'audience' }) }))).state;
    expect(shouldPublish(back)).toBe(false);
  });
});

describe('room lists', () => {
  const people = [
    person('aud1', 'Ann'),
    person('spk', 'Sam', { role: 'speaker' }),
    person('aud2', 'Bo', { hand: true }),
    person('host', 'Hana', { role: 'host' }),
    person('wait', 'Wes', { admitted: false }),
  ];
  const ui = { ...live, people, activeSpeaker: 'spk' };

  it('stage: hosts first, then speakers', () => {
    expect(stagePeople(ui).map((p) => p.user)).toEqual(['host', 'spk']);
  });
  it('audience: raised hands first', () => {
    expect(audiencePeople(ui).map((p) => p.user)).toEqual(['aud2', 'aud1']);
  });
  it('lobby: not admitted', () => {
    expect(lobbyPeople(ui).map((p) => p.user)).toEqual(['wait']);
  });
  it('caption: who speaks, or nothing', () => {
    expect(speakingCaption(ui)).toBe('Speaking: Sam');
    expect(speakingCaption({ ...ui, activeSpeaker: null })).toBe('');
    expect(speakingCaption({ ...ui, activeSpeaker: 'stranger' })).toBe('');
  });
  it('words for every refusal and every way out', () => {
    for (const code of ['forbidden', 'not_in_room', 'not_on_stage', 'locked', 'removed', 'not_open', 'invalid', 'unavailable', 'offline']) {
      expect(errorText(code)).not.toBe(errorText('something_new'));
    }
    expect(leftText('removed')).toBe('The host removed you from this event.');
    expect(leftText('something_new')).toBe('You are no longer in the live room.');
    expect(ME).toBe(live.you?.user);
  });
});

describe('a join refused for the code of conduct', () => {
  it('says so instead of “not invited”', () => {
    expect(errorText('forbidden', "accept the program's code of conduct first")).toBe(
      'Accept the program’s code of conduct first: it is shown at the top of the page.',
    );
    expect(errorText('forbidden', 'nope')).toBe(errorText('forbidden'));
  });
});

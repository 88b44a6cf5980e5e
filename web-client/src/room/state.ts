// What the live room of a group event shows, as one immutable value, and the pure reducer that
// moves it forward for each room frame (docs/protocol.md, "Group event rooms") and each thing the
// person does. Like the call reducer (src/call/state.ts) it also says what must happen as a
// result: frames to send, a subscribe offer or a publish answer to apply, the media to stop. The
// controller (controller.ts) carries the effects out; whether to publish follows from the state
// (`shouldPublish`), not from an effect, so a role change in any `room_state` starts or stops it.
//
//   idle ── join ──▶ joining ── room_state ──▶ lobby (not admitted) ── room_state ──▶ live
//   any ── leave, room_left, an ended room ──▶ idle (with the reason in `left`)
//   joining ── room_error ──▶ idle (with the refusal in `error`)
import type {
  RoomClientFrame,
  RoomErrorCode,
  RoomLeftReason,
  RoomPerson,
  RoomServerFrame,
  RoomStatus,
  RoomTrack,
  RoomYou,
} from '../chat/protocol';
import { isConductRefusal } from '../lib/conduct';

export type RoomPhase = 'idle' | 'joining' | 'lobby' | 'live';

/** A refusal, with the words to show. */
export interface RoomProblem {
  code: RoomErrorCode | 'offline' | string;
  message: string;
}

export interface RoomLeft {
  reason: RoomLeftReason;
  message: string;
}

export interface RoomUi {
  readonly event: string;
  readonly phase: RoomPhase;
  /** The room's status from the last `room_state` (null before one). */
  readonly status: RoomStatus | null;
  readonly locked: boolean;
  readonly you: RoomYou | null;
  readonly people: readonly RoomPerson[];
  readonly activeSpeaker: string | null;
  /** What each `mid` of the subscribe connection carries (the latest `room_offer`). */
  readonly tracks: readonly RoomTrack[];
  /** The last refused frame, in words (cleared by the next join, or dismissed). */
  readonly error: RoomProblem | null;
  /** Why I am no longer in the room. */
  readonly left: RoomLeft | null;
  /** Joining again after the socket reconnected (the new connection is not in the room). */
  readonly rejoining: boolean;
}

export function initialRoom(event: string): RoomUi {
  return {
    event,
    phase: 'idle',
    status: null,
    locked: false,
    you: null,
    people: [],
    activeSpeaker: null,
    tracks: [],
    error: null,
    left: null,
    rejoining: false,
  };
}

/** What the host and the people do; `frame` is what the server says. */
export type RoomAction =
  | { type: 'join' }
  | { type: 'leave' }
  | { type: 'frame'; frame: RoomServerFrame }
  /** A frame could not be sent (the socket is down). */
  | { type: 'unsent'; frame: RoomClientFrame }
  /** The chat socket came back after a drop: the new connection is in no room. */
  | { type: 'reconnected' }
  | { type: 'dismiss' }
  /** A host control or a hand: everything the reducer only has to send. */
  | { type: 'control'; frame: RoomControlFrame };

/** The frames that only need sending (their result comes back as a `room_state`). */
export type RoomControlFrame = Extract<
  RoomClientFrame,
  { type: 'room_open' | 'room_admit' | 'room_lock' | 'room_end' | 'room_hand' | 'room_stage' | 'room_mute' | 'room_remove' }
>;

export type RoomEffect =
  | { type: 'send'; frame: RoomClientFrame }
  /** Apply the server's offer on the subscribe connection and answer it. */
  | { type: 'subscribe'; sdp: string }
  /** Apply the SFU's answer on the publish connection. */
  | { type: 'publish_answer'; sdp: string }
  /** A frame with this `ref` was refused. */
  | { type: 'refused'; ref: string; code: string }
  /** Close both connections and stop every local track. */
  | { type: 'stop' };

export interface RoomStep {
  state: RoomUi;
  effects: RoomEffect[];
}

export function isInRoom(ui: Pick<RoomUi, 'phase'>): boolean {
  return ui.phase !== 'idle';
}

export function isOnStage(person: Pick<RoomYou, 'role'> | null | undefined): boolean {
  return person?.role === 'host' || person?.role === 'speaker';
}

/** The publish connection is wanted while admitted on stage (hosts and speakers). */
export function shouldPublish(ui: RoomUi): boolean {
  return ui.phase === 'live' && ui.you !== null && ui.you.admitted && isOnStage(ui.you) && ui.status !== 'ended';
}

export function isHost(ui: RoomUi): boolean {
  return ui.you?.role === 'host';
}

const ERROR_TEXT: Record<RoomErrorCode, string> = {
  forbidden: 'You are not invited to this event, or your role in the room does not allow that.',
  not_in_room: 'You need to be let into the room first.',
  not_on_stage: 'Only people on stage can share their camera and microphone.',
  locked: 'The host has locked the room: nobody new can come in for now.',
  removed: 'The host removed you from this event, so you cannot join it again.',
  not_open:
    'The room is not open: it opens 30 minutes before the start, and not for an event that was cancelled or has ended.',
  invalid: 'The room refused a request from this page. Reload the page and try again.',
  unavailable: 'The live room cannot be reached right now. Try again in a moment.',
};

/** A refusal (`room_error.code`, with the server's `message`) in words. */
export function errorText(code: string, message = ''): string {
  if (code === 'offline') return 'You are offline. Try again when your connection is back.';
  if (code === 'forbidden' && isConductRefusal(message)) {
    return 'Accept the program’s code of conduct first: it is shown at the top of the page.';
  }
  return (ERROR_TEXT as Record<string, string>)[code] ?? 'Something went wrong in the live room. Try again.';
}

const LEFT_TEXT: Record<RoomLeftReason, string> = {
  left: 'You left the live room.',
  removed: 'The host removed you from this event.',
  ended: 'The event has ended.',
  elsewhere: 'You joined this room from another tab.',
};

export function leftText(reason: string): string {
  return (LEFT_TEXT as Record<string, string>)[reason] ?? 'You are no longer in the live room.';
}

function leftRoom(state: RoomUi, reason: RoomLeftReason): RoomUi {
  return {
    ...initialRoom(state.event),
    status: reason === 'ended' ? 'ended' : state.status,
    left: { reason, message: leftText(reason) },
  };
}

function send(frame: RoomClientFrame): RoomEffect {
  return { type: 'send', frame };
}

export function reduceRoom(state: RoomUi, action: RoomAction): RoomStep {
  const none: RoomStep = { state, effects: [] };
  switch (action.type) {
    case 'join':
      if (state.phase !== 'idle') return none;
      return {
        state: { ...initialRoom(state.event), phase: 'joining' },
        effects: [send({ type: 'room_join', event: state.event })],
      };
    case 'leave':
      if (state.phase === 'idle') return none;
      return {
        state: leftRoom(state, 'left'),
        effects: [send({ type: 'room_leave', event: state.event }), { type: 'stop' }],
      };
    case 'control':
      if (state.phase === 'idle') return none;
      return { state: state.error ? { ...state, error: null } : state, effects: [send(action.frame)] };
    case 'dismiss':
      if (!state.error && !state.left) return none;
      return { state: { ...state, error: null, left: null }, effects: [] };
    case 'reconnected':
      // Media of the old connection cannot continue on the new one: start again from the join.
      return rejoin(state);
    case 'unsent': {
      const problem = { code: 'offline', message: errorText('offline') };
      if (action.frame.type === 'room_join') {
        return { state: { ...initialRoom(state.event), error: problem }, effects: [{ type: 'stop' }] };
      }
      // Leaving while offline: the server drops a closed connection from the room anyway.
      if (action.frame.type === 'room_leave') return none;
      return { state: { ...state, error: problem }, effects: [] };
    }
    case 'frame':
      return onFrame(state, action.frame);
  }
}

/**
 * Joins again, keeping what is on screen until the new `room_state` replaces it: after a
 * reconnect (the new connection is not in the room) or a `room_reset` (the room started over).
 */
function rejoin(state: RoomUi): RoomStep {
  if (state.phase === 'idle') return { state, effects: [] };
  return {
    state: { ...state, phase: 'joining', tracks: [], activeSpeaker: null, rejoining: true },
    effects: [{ type: 'stop' }, send({ type: 'room_join', event: state.event })],
  };
}

function onFrame(state: RoomUi, frame: RoomServerFrame): RoomStep {
  const none: RoomStep = { state, effects: [] };
  if (frame.event !== state.event) return none;
  switch (frame.type) {
    case 'room_state': {
      if (state.phase === 'idle') return none;
      if (frame.status === 'ended') {
        return { state: leftRoom(state, 'ended'), effects: [{ type: 'stop' }] };
      }
      const admitted = frame.you.admitted;
      return {
        state: {
          ...state,
          phase: admitted ? 'live' : 'lobby',
          status: frame.status,
          locked: frame.locked,
          you: frame.you,
          people: frame.people,
          activeSpeaker: frame.active_speaker ?? null,
          // The subscribe connection only exists once admitted.
          tracks: admitted ? state.tracks : [],
          rejoining: false,
        },
        effects: [],
      };
    }
    case 'room_speaker': {
      if (state.phase === 'idle') return none;
      const user = frame.user ?? null;
      return user === state.activeSpeaker ? none : { state: { ...state, activeSpeaker: user }, effects: [] };
    }
    case 'room_offer':
      if (state.phase === 'idle') return none;
      return { state: { ...state, tracks: frame.tracks }, effects: [{ type: 'subscribe', sdp: frame.sdp }] };
    case 'room_publish_answer':
      if (state.phase === 'idle') return none;
      return { state, effects: [{ type: 'publish_answer', sdp: frame.sdp }] };
    case 'room_left':
      if (state.phase === 'idle') return none;
      return { state: leftRoom(state, frame.reason), effects: [{ type: 'stop' }] };
    case 'room_reset':
      return rejoin(state);
    case 'room_error': {
      const problem = { code: frame.code, message: errorText(frame.code, frame.message) };
      const effects: RoomEffect[] = frame.ref ? [{ type: 'refused', ref: frame.ref, code: frame.code }] : [];
      // A refused join (also a join again after a reconnect: removed meanwhile, locked, ended)
      // leaves me outside. Other refusals (a host control, a publish) change nothing else.
      if (state.phase === 'joining') {
        return { state: { ...initialRoom(state.event), error: problem }, effects: [...effects, { type: 'stop' }] };
      }
      if (state.phase === 'idle') return none;
      return { state: { ...state, error: problem }, effects };
    }
  }
}

// What the room view lists.

export function personName(ui: Pick<RoomUi, 'people'>, user: string | null | undefined): string | null {
  if (!user) return null;
  return ui.people.find((p) => p.user === user)?.name ?? null;
}

/** The caption under the stage: "Speaking: Ada Lovelace", or nothing. */
export function speakingCaption(ui: Pick<RoomUi, 'people' | 'activeSpeaker'>): string {
  const name = personName(ui, ui.activeSpeaker);
  return name ? `Speaking: ${name}` : '';
}

/** Admitted people on stage, hosts first, in the server's order otherwise. */
export function stagePeople(ui: Pick<RoomUi, 'people'>): RoomPerson[] {
  const on = ui.people.filter((p) => p.admitted && isOnStage(p));
  return [...on.filter((p) => p.role === 'host'), ...on.filter((p) => p.role !== 'host')];
}

/** Admitted people in the audience, raised hands first (in the server's order otherwise). */
export function audiencePeople(ui: Pick<RoomUi, 'people'>): RoomPerson[] {
  const audience = ui.people.filter((p) => p.admitted && p.role === 'audience');
  return [...audience.filter((p) => p.hand), ...audience.filter((p) => !p.hand)];
}

/** People waiting in the lobby (only hosts are told about them). */
export function lobbyPeople(ui: Pick<RoomUi, 'people'>): RoomPerson[] {
  return ui.people.filter((p) => !p.admitted);
}

/** "1 person", "3 people". */
export function peopleCount(n: number): string {
  return `${n} ${n === 1 ? 'person' : 'people'}`;
}

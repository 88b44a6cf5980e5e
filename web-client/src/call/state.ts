// What the call UI shows, as one immutable value, and the pure reducer that moves it forward for
// each server frame (docs/protocol.md, "Calls") and each thing the person does. The reducer also
// says what must happen as a result (effects: frames to send, media to open, the peer connection
// to start or stop); the controller (controller.ts) carries them out.
//
//   idle ── start ──▶ outgoing (calling, then ringing) ── call_accept ──▶ connecting
//   idle ── call_invite ──▶ incoming ── accept ──▶ connecting ── media flows ──▶ in_call
//   any live phase ── hang-up, decline, timeout, refusal ──▶ ended (with a reason) ── dismiss ──▶ idle
import type {
  CallClientFrame,
  CallEndReason,
  CallServerFrame,
  IceCandidateFrame,
  SdpAnswerFrame,
  SdpOfferFrame,
} from '../chat/protocol';
import { sentence } from '../api/client';

export type CallPhase = 'idle' | 'outgoing' | 'incoming' | 'connecting' | 'in_call' | 'ended';
export type CallRole = 'caller' | 'callee';

export interface CallPeer {
  id: string;
  name: string;
  /** Their pair channel with me, when known. */
  channel: string | null;
}

/** Why a call ended, as the server says (`call_state.reason`) or as this client found out. */
export type EndedReason =
  | CallEndReason
  | 'offline'
  | 'forbidden'
  | 'answered_elsewhere'
  | 'gone'
  | 'error';

export interface CallEnded {
  reason: EndedReason;
  /** Who ended it, when the reason depends on it (hung up). */
  by: 'me' | 'them' | null;
  /** Short text for people: "No answer", "Declined", "They are offline"… */
  message: string;
}

export interface CallUi {
  readonly phase: CallPhase;
  readonly call: string | null;
  readonly peer: CallPeer | null;
  readonly role: CallRole | null;
  /** This tab takes part: it started the call or answered it (other tabs only ring). */
  readonly joined: boolean;
  /** Outgoing: a device of theirs is ringing. */
  readonly ringing: boolean;
  /** Incoming: Accept was pressed and the camera and microphone are being opened. */
  readonly accepting: boolean;
  /** My role in perfect negotiation (`call_state.polite`). */
  readonly polite: boolean;
  /** In a call whose media path dropped and is being re-established. */
  readonly reconnecting: boolean;
  readonly ended: CallEnded | null;
}

export const IDLE: CallUi = {
  phase: 'idle',
  call: null,
  peer: null,
  role: null,
  joined: false,
  ringing: false,
  accepting: false,
  polite: false,
  reconnecting: false,
  ended: null,
};

export type CallAction =
  | { type: 'start'; call: string; peer: CallPeer }
  /** A call frame from the server; `peer` is the other person of an invitation, if known. */
  | { type: 'frame'; frame: CallServerFrame; me: string; peer?: CallPeer | null }
  | { type: 'accepting' }
  | { type: 'accept' }
  | { type: 'decline' }
  | { type: 'hangup' }
  /** The peer connection's `connectionState`. */
  | { type: 'link'; state: RTCPeerConnectionState }
  /** The chat socket is up again after a drop. */
  | { type: 'reconnected' }
  /** Something here failed (a frame could not be sent); `hangup` also tells the server. */
  | { type: 'fail'; message: string; hangup: boolean }
  | { type: 'dismiss' };

export type SignalFrame = SdpOfferFrame | SdpAnswerFrame | IceCandidateFrame;

export type CallEffect =
  /** `reliable` frames wait for the socket when it is down (they end or answer a call). */
  | { type: 'send'; frame: CallClientFrame; reliable: boolean }
  /** Open the camera and microphone (the preview shows at once). */
  | { type: 'media' }
  /** Create the peer connection, add the local tracks and negotiate (once per call). */
  | { type: 'session' }
  /** Hand a description or candidate to the peer connection. */
  | { type: 'signal'; frame: SignalFrame }
  | { type: 'polite'; polite: boolean }
  | { type: 'restart_ice' }
  /** Close the peer connection and stop every local track. */
  | { type: 'stop' };

export interface Step {
  state: CallUi;
  effects: CallEffect[];
}

export function isLive(phase: CallPhase): boolean {
  return phase === 'outgoing' || phase === 'incoming' || phase === 'connecting' || phase === 'in_call';
}

function isAnswered(phase: CallPhase): boolean {
  return phase === 'connecting' || phase === 'in_call';
}

/** The short text shown when a call ends. */
export function endedMessage(reason: EndedReason, role: CallRole | null, by: 'me' | 'them' | null): string {
  switch (reason) {
    case 'missed':
      return role === 'caller' ? 'No answer' : 'Missed call';
    case 'cancelled':
      return role === 'caller' ? 'Cancelled' : 'Missed call';
    case 'declined':
      return role === 'caller' ? 'Declined' : 'You declined';
    case 'busy':
      return role === 'caller' ? 'Busy: they are in another call' : 'Declined: you were in another call';
    case 'failed':
      return 'Could not connect';
    case 'hung_up':
      return by === 'them' ? 'They hung up' : 'Call ended';
    case 'offline':
      return 'They are offline';
    case 'forbidden':
      return 'You cannot call this person';
    case 'answered_elsewhere':
      return 'Answered on another device';
    case 'gone':
      return 'The call ended';
    case 'error':
      return 'The call could not continue';
  }
}

function end(state: CallUi, reason: EndedReason, by: 'me' | 'them' | null, message?: string): CallUi {
  return {
    ...state,
    phase: 'ended',
    accepting: false,
    ringing: false,
    reconnecting: false,
    ended: { reason, by, message: message ?? endedMessage(reason, state.role, by) },
  };
}

const NOTHING: CallEffect[] = [];

function same(state: CallUi): Step {
  return { state, effects: NOTHING };
}

function send(frame: CallClientFrame, reliable = false): CallEffect {
  return { type: 'send', frame, reliable };
}

export function reduce(state: CallUi, action: CallAction): Step {
  switch (action.type) {
    case 'start': {
      if (isLive(state.phase)) return same(state);
      return {
        state: { ...IDLE, phase: 'outgoing', call: action.call, peer: action.peer, role: 'caller', joined: true },
        effects: [{ type: 'media' }, send({ type: 'call_invite', call: action.call, to: action.peer.id })],
      };
    }
    case 'frame':
      return onFrame(state, action.frame, action.me, action.peer ?? null);
    case 'accepting':
      if (state.phase !== 'incoming' || state.accepting) return same(state);
      return { state: { ...state, accepting: true }, effects: [{ type: 'media' }] };
    case 'accept': {
      if (state.phase !== 'incoming' || !state.call) return same(state);
      return {
        state: { ...state, phase: 'connecting', joined: true, accepting: false },
        effects: [send({ type: 'call_accept', call: state.call }, true), { type: 'session' }],
      };
    }
    case 'decline': {
      if (state.phase !== 'incoming' || !state.call) return same(state);
      return {
        state: end(state, 'declined', 'me'),
        effects: [send({ type: 'call_decline', call: state.call, reason: 'declined' }, true), { type: 'stop' }],
      };
    }
    case 'hangup': {
      if (!state.call || !isLive(state.phase)) return same(state);
      if (state.phase === 'incoming') return reduce(state, { type: 'decline' });
      const next = state.phase === 'outgoing' ? end(state, 'cancelled', 'me') : end(state, 'hung_up', 'me');
      return { state: next, effects: [send({ type: 'call_hangup', call: state.call }, true), { type: 'stop' }] };
    }
    case 'link': {
      if (!state.joined || !isAnswered(state.phase)) return same(state);
      if (action.state === 'connected') return same({ ...state, phase: 'in_call', reconnecting: false });
      if ((action.state === 'disconnected' || action.state === 'failed') && state.phase === 'in_call') {
        return same({ ...state, reconnecting: true });
      }
      return same(state);
    }
    case 'reconnected':
      // Offers and candidates sent while the socket was down are lost, and the network may
      // have changed under the call: start ICE over.
      if (!state.joined || !isAnswered(state.phase)) return same(state);
      return { state, effects: [{ type: 'restart_ice' }] };
    case 'fail': {
      if (!isLive(state.phase)) return same(state);
      const effects: CallEffect[] = [];
      if (action.hangup && state.call) effects.push(send({ type: 'call_hangup', call: state.call }, true));
      effects.push({ type: 'stop' });
      return { state: end(state, 'error', null, action.message), effects };
    }
    case 'dismiss':
      return state.phase === 'ended' ? same(IDLE) : same(state);
  }
}

function onFrame(state: CallUi, frame: CallServerFrame, me: string, peer: CallPeer | null): Step {
  const current = state.call !== null && frame.call === state.call;
  switch (frame.type) {
    case 'call_invite': {
      if (current) return same(state);
      if (isLive(state.phase)) {
        // Calling each other at the same moment: the server merges the two invitations into one
        // call (call_state with `replaces`), so this one needs no answer.
        if (state.phase === 'outgoing' && state.peer?.id === frame.from) return same(state);
        return { state, effects: [send({ type: 'call_decline', call: frame.call, reason: 'busy' }, true)] };
      }
      return {
        state: {
          ...IDLE,
          phase: 'incoming',
          call: frame.call,
          peer: peer ?? { id: frame.from, name: 'Someone', channel: null },
          role: 'callee',
        },
        effects: [send({ type: 'call_ringing', call: frame.call })],
      };
    }
    case 'call_state': {
      const merged = state.call !== null && frame.replaces === state.call;
      if (!(current || merged) || !isLive(state.phase)) return same(state);
      const role: CallRole = frame.caller === me ? 'caller' : 'callee';
      const effects: CallEffect[] = [];
      if (frame.polite !== state.polite) effects.push({ type: 'polite', polite: frame.polite });
      let next: CallUi = { ...state, call: frame.call, role, polite: frame.polite };
      switch (frame.state) {
        case 'inviting':
        case 'ringing':
          if (next.phase === 'outgoing') next = { ...next, ringing: frame.state === 'ringing' };
          break;
        case 'connecting':
        case 'in_call':
          if (!next.joined) {
            // Another device of mine answered.
            next = end(next, 'answered_elsewhere', null);
            effects.push({ type: 'stop' });
          } else if (next.phase === 'outgoing' || next.phase === 'incoming') {
            // Crossed invitations merged into an answered call.
            next = { ...next, phase: 'connecting', ringing: false, accepting: false };
            effects.push({ type: 'session' });
          }
          break;
        case 'ended': {
          const by = frame.by ? (frame.by === me ? 'me' : 'them') : null;
          const reason: EndedReason = frame.reason ?? 'gone';
          // Ringing here, declined on another device of mine.
          const message = !next.joined && reason === 'declined' ? 'Declined on another device' : undefined;
          next = end(next, reason, by, message);
          effects.push({ type: 'stop' });
          break;
        }
      }
      return { state: next, effects };
    }
    case 'call_ringing':
      if (!current || state.phase !== 'outgoing') return same(state);
      return same({ ...state, ringing: true });
    case 'call_accept':
      if (!current || state.phase !== 'outgoing') return same(state);
      return { state: { ...state, phase: 'connecting', ringing: false }, effects: [{ type: 'session' }] };
    case 'call_decline':
      if (!current || !isLive(state.phase)) return same(state);
      return { state: end(state, frame.reason === 'busy' ? 'busy' : 'declined', 'them'), effects: [{ type: 'stop' }] };
    case 'call_hangup': {
      if (!current || !isLive(state.phase)) return same(state);
      const reason: EndedReason = isAnswered(state.phase)
        ? 'hung_up'
        : state.role === 'caller'
          ? 'declined'
          : 'cancelled';
      return { state: end(state, reason, 'them'), effects: [{ type: 'stop' }] };
    }
    case 'sdp_offer':
    case 'sdp_answer':
    case 'ice_candidate':
      if (!current || !state.joined || !isLive(state.phase)) return same(state);
      return { state, effects: [{ type: 'signal', frame }] };
    case 'call_error': {
      if (!current || !isLive(state.phase)) return same(state);
      if (state.phase === 'outgoing') {
        // The invitation was refused: nothing was started on the server.
        const reason: EndedReason =
          frame.code === 'offline' ? 'offline' : frame.code === 'forbidden' ? 'forbidden' : 'error';
        // A refusal says why in the server's words: "you cannot reach this person" (a block, the
        // same words for both people), "you can only call someone you are matched with".
        const message =
          reason === 'error'
            ? `The call could not start: ${frame.message}`
            : reason === 'forbidden' && frame.message.trim() !== ''
              ? sentence(frame.message)
              : undefined;
        return { state: end(state, reason, null, message), effects: [{ type: 'stop' }] };
      }
      if (state.joined && (frame.code === 'wrong_state' || frame.code === 'not_participant')) {
        // The call ended on the server while we did not hear it (the socket was down).
        return { state: end(state, 'gone', null), effects: [{ type: 'stop' }] };
      }
      return same(state);
    }
  }
}

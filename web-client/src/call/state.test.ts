import { describe, expect, it } from 'vitest';
import type { CallServerFrame, CallStateFrame } from '../chat/protocol';
import { IDLE, endedMessage, reduce, type CallAction, type CallEffect, type CallUi } from './state';

const ME = 'user-me';
const THEM = 'user-them';
const CALL = 'call-1';
const PEER = { id: THEM, name: 'Nia', channel: 'ch-1' };

function run(state: CallUi, ...actions: CallAction[]): { state: CallUi; effects: CallEffect[] } {
  let effects: CallEffect[] = [];
  for (const action of actions) {
    const step = reduce(state, action);
    state = step.state;
    effects = step.effects;
  }
  return { state, effects };
}

function frame(f: CallServerFrame): CallAction {
  return { type: 'frame', frame: f, me: ME, peer: PEER };
}

function callState(state: CallStateFrame['state'], extra: Partial<CallStateFrame> = {}, caller = ME): CallAction {
  return frame({ type: 'call_state', call: CALL, caller, callee: caller === ME ? THEM : ME, state, polite: true, ...extra });
}

const outgoing = run(IDLE, { type: 'start', call: CALL, peer: PEER }).state;
const incoming = run(IDLE, frame({ type: 'call_invite', call: CALL, from: THEM, to: ME })).state;

describe('call reducer', () => {
  it('starts a call: opens the media and invites', () => {
    const { state, effects } = run(IDLE, { type: 'start', call: CALL, peer: PEER });
    expect(state).toMatchObject({ phase: 'outgoing', call: CALL, role: 'caller', joined: true, ringing: false });
    expect(effects).toEqual([
      { type: 'media' },
      { type: 'send', frame: { type: 'call_invite', call: CALL, to: THEM }, reliable: false },
    ]);
    // Not twice.
    expect(run(state, { type: 'start', call: 'other', peer: PEER }).state).toBe(state);
  });

  it('caller: ringing, accepted, connecting, in call, hung up', () => {
    let s = run(outgoing, callState('inviting')).state;
    expect(s.polite).toBe(true);
    s = run(s, frame({ type: 'call_ringing', call: CALL, by: THEM })).state;
    expect(s.ringing).toBe(true);
    const accepted = run(s, frame({ type: 'call_accept', call: CALL, by: THEM }));
    expect(accepted.state.phase).toBe('connecting');
    expect(accepted.effects).toEqual([{ type: 'session' }]);
    s = run(accepted.state, callState('connecting'), { type: 'link', state: 'connected' }).state;
    expect(s.phase).toBe('in_call');
    const ended = run(s, { type: 'hangup' });
    expect(ended.state.phase).toBe('ended');
    expect(ended.state.ended).toEqual({ reason: 'hung_up', by: 'me', message: 'Call ended' });
    expect(ended.effects).toEqual([
      { type: 'send', frame: { type: 'call_hangup', call: CALL }, reliable: true },
      { type: 'stop' },
    ]);
    expect(run(ended.state, { type: 'dismiss' }).state).toEqual(IDLE);
  });

  it('callee: rings (and says so), accepts after the media opened', () => {
    const invited = run(IDLE, frame({ type: 'call_invite', call: CALL, from: THEM, to: ME }));
    expect(invited.state).toMatchObject({ phase: 'incoming', role: 'callee', joined: false, peer: PEER });
    expect(invited.effects).toEqual([{ type: 'send', frame: { type: 'call_ringing', call: CALL }, reliable: false }]);
    const accepting = run(invited.state, { type: 'accepting' });
    expect(accepting.state.accepting).toBe(true);
    expect(accepting.effects).toEqual([{ type: 'media' }]);
    const accepted = run(accepting.state, { type: 'accept' });
    expect(accepted.state).toMatchObject({ phase: 'connecting', joined: true, accepting: false });
    expect(accepted.effects).toEqual([
      { type: 'send', frame: { type: 'call_accept', call: CALL }, reliable: true },
      { type: 'session' },
    ]);
  });

  it('callee declines', () => {
    const { state, effects } = run(incoming, { type: 'decline' });
    expect(state.ended?.message).toBe('You declined');
    expect(effects).toEqual([
      { type: 'send', frame: { type: 'call_decline', call: CALL, reason: 'declined' }, reliable: true },
      { type: 'stop' },
    ]);
  });

  it('passes descriptions and candidates of the current call to the session only', () => {
    const connecting = run(outgoing, frame({ type: 'call_accept', call: CALL, by: THEM })).state;
    const offer = { type: 'sdp_offer', call: CALL, from: THEM, sdp: 'v=0' } as const;
    expect(run(connecting, frame(offer)).effects).toEqual([{ type: 'signal', frame: offer }]);
    expect(run(connecting, frame({ ...offer, call: 'other' })).effects).toEqual([]);
    // A ringing tab that did not answer takes no part.
    expect(run(incoming, frame(offer)).effects).toEqual([]);
  });

  it('a second call while busy is declined as busy; a crossed invitation from the same person is left to the server', () => {
    const other = frame({ type: 'call_invite', call: 'call-2', from: 'someone-else', to: ME });
    const busy = run(outgoing, other);
    expect(busy.state).toBe(outgoing);
    expect(busy.effects).toEqual([{ type: 'send', frame: { type: 'call_decline', call: 'call-2', reason: 'busy' }, reliable: true }]);
    const crossed = run(outgoing, frame({ type: 'call_invite', call: 'call-2', from: THEM, to: ME }));
    expect(crossed.effects).toEqual([]);
  });

  it('crossed invitations merged into one call: adopts its id and role, and connects', () => {
    const merged = run(outgoing, frame({ type: 'call_state', call: 'call-2', caller: THEM, callee: ME, state: 'connecting', polite: true, replaces: CALL }));
    expect(merged.state).toMatchObject({ call: 'call-2', role: 'callee', phase: 'connecting', polite: true });
    expect(merged.effects).toEqual([{ type: 'polite', polite: true }, { type: 'session' }]);
  });

  it('another device answering stops the ringing here', () => {
    const { state, effects } = run(incoming, callState('connecting', {}, THEM));
    expect(state.phase).toBe('ended');
    expect(state.ended?.message).toBe('Answered on another device');
    expect(effects).toContainEqual({ type: 'stop' });
  });

  it('ends with the server’s reason, in the words of each side', () => {
    const missedCaller = run(outgoing, callState('ended', { reason: 'missed' })).state;
    expect(missedCaller.ended?.message).toBe('No answer');
    const missedCallee = run(incoming, callState('ended', { reason: 'missed' }, THEM)).state;
    expect(missedCallee.ended?.message).toBe('Missed call');
    const declined = run(outgoing, frame({ type: 'call_decline', call: CALL, by: THEM, reason: 'declined' })).state;
    expect(declined.ended?.message).toBe('Declined');
    const busy = run(outgoing, frame({ type: 'call_decline', call: CALL, by: THEM, reason: 'busy' })).state;
    expect(busy.ended?.reason).toBe('busy');
    const cancelled = run(incoming, frame({ type: 'call_hangup', call: CALL, by: THEM })).state;
    expect(cancelled.ended?.message).toBe('Missed call');
    const connected = run(outgoing, frame({ type: 'call_accept', call: CALL, by: THEM })).state;
    const hungUp = run(connected, callState('ended', { reason: 'hung_up', by: THEM })).state;
    expect(hungUp.ended?.message).toBe('They hung up');
    const failed = run(connected, callState('ended', { reason: 'failed' })).state;
    expect(failed.ended?.message).toBe('Could not connect');
    // Once ended, later frames change nothing.
    expect(run(hungUp, callState('ended', { reason: 'failed' })).state).toBe(hungUp);
  });

  it('refusals of the invitation end the call without a hang-up', () => {
    const offline = run(outgoing, frame({ type: 'call_error', call: CALL, code: 'offline', message: 'not online' }));
    expect(offline.state.ended?.message).toBe('They are offline');
    expect(offline.effects).toEqual([{ type: 'stop' }]);
    // Forbidden: the server's words (a block reads the same for both people).
    const forbidden = run(outgoing, frame({ type: 'call_error', call: CALL, code: 'forbidden', message: 'you cannot reach this person' }));
    expect(forbidden.state.ended).toEqual({ reason: 'forbidden', by: null, message: 'You cannot reach this person' });
    expect(forbidden.effects).toEqual([{ type: 'stop' }]);
    const unexplained = run(outgoing, frame({ type: 'call_error', call: CALL, code: 'forbidden', message: '' }));
    expect(unexplained.state.ended?.message).toBe('You cannot call this person');
    const internal = run(outgoing, frame({ type: 'call_error', call: CALL, code: 'internal', message: 'try again' }));
    expect(internal.state.ended?.message).toBe('The call could not start: try again');
  });

  it('a call that ended unheard (wrong_state while connected) ends here too; other refusals are ignored', () => {
    const connected = run(outgoing, frame({ type: 'call_accept', call: CALL, by: THEM })).state;
    expect(run(connected, frame({ type: 'call_error', call: CALL, code: 'wrong_state', message: '' })).state.ended?.reason).toBe('gone');
    expect(run(connected, frame({ type: 'call_error', call: CALL, code: 'too_many_candidates', message: '' })).state).toBe(connected);
  });

  it('restarts ICE when the socket is back during an answered call', () => {
    const connected = run(outgoing, frame({ type: 'call_accept', call: CALL, by: THEM })).state;
    expect(run(connected, { type: 'reconnected' }).effects).toEqual([{ type: 'restart_ice' }]);
    expect(run(outgoing, { type: 'reconnected' }).effects).toEqual([]);
    expect(run(IDLE, { type: 'reconnected' }).effects).toEqual([]);
  });

  it('shows a dropped media path as reconnecting', () => {
    const inCall = run(outgoing, frame({ type: 'call_accept', call: CALL, by: THEM }), { type: 'link', state: 'connected' }).state;
    const dropped = run(inCall, { type: 'link', state: 'disconnected' }).state;
    expect(dropped.reconnecting).toBe(true);
    expect(run(dropped, { type: 'link', state: 'connected' }).state.reconnecting).toBe(false);
  });

  it('a local failure ends the call, telling the server when asked', () => {
    const connected = run(outgoing, frame({ type: 'call_accept', call: CALL, by: THEM })).state;
    const failed = run(connected, { type: 'fail', message: 'Broken.', hangup: true });
    expect(failed.state.ended?.message).toBe('Broken.');
    expect(failed.effects[0]).toEqual({ type: 'send', frame: { type: 'call_hangup', call: CALL }, reliable: true });
  });

  it('has words for every reason', () => {
    expect(endedMessage('cancelled', 'caller', 'me')).toBe('Cancelled');
    expect(endedMessage('busy', 'callee', null)).toMatch(/another call/);
  });
});

// Builders of protocol values for the chat unit tests.
import type { Match, Meeting } from '../api/types';
import type { GroupEvent } from '../api/events';
import type { ChannelView, ChatEvent, EventFrame, WelcomeFrame } from './protocol';

export const CH = '0192f0c4-6d3e-7a00-8000-00000000000a';
export const ME = '0192f0c4-6d3e-7a00-8000-0000000000a1';
export const THEM = '0192f0c4-6d3e-7a00-8000-0000000000b2';

export function msg(seq: number, overrides: Partial<ChatEvent> = {}): EventFrame {
  return {
    type: 'event',
    channel_id: CH,
    seq,
    id: `id-${seq}`,
    kind: 'message',
    sender_id: THEM,
    client_id: `c-${seq}`,
    body: `message ${seq}`,
    target_seq: null,
    created_at: new Date(Date.UTC(2030, 0, 1, 12, 0, seq)).toISOString(),
    edited_at: null,
    deleted_at: null,
    ...overrides,
  };
}

export function edit(seq: number, target: number, body: string, overrides: Partial<ChatEvent> = {}): EventFrame {
  return msg(seq, { kind: 'edit', target_seq: target, body, ...overrides });
}

export function del(seq: number, target: number, overrides: Partial<ChatEvent> = {}): EventFrame {
  return msg(seq, { kind: 'delete', target_seq: target, body: '', ...overrides });
}

export function view(overrides: Partial<ChannelView> = {}): ChannelView {
  return {
    id: CH,
    program_id: 'p1',
    kind: 'pair',
    name: 'Kwame & Nia',
    program_wide: false,
    last_seq: 0,
    created_at: '2030-01-01T00:00:00Z',
    last_activity_at: '2030-01-01T00:00:00Z',
    member_count: 2,
    can_post: true,
    last_read_seq: 0,
    unread: 0,
    members: [
      { user_id: ME, name: 'Kwame', last_read_seq: 0 },
      { user_id: THEM, name: 'Nia', last_read_seq: 0 },
    ],
    ...overrides,
  };
}

/** A welcome to ME with these channels (the whole list unless `channels_next` says otherwise). */
export function welcome(channels: ChannelView[] = [view()], overrides: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: 'welcome',
    v: 1,
    user_id: ME,
    heartbeat_ms: 20000,
    channels,
    channels_next: null,
    presence: {},
    ...overrides,
  };
}

export function match(overrides: Partial<Match> = {}): Match {
  return {
    id: 'match-1',
    program_id: 'p1',
    program_name: 'Pathways',
    status: 'proposed',
    mentee: { user_id: ME, name: 'Kwame' },
    mentor: { user_id: THEM, name: 'Nia' },
    score: 71.3,
    reasons: ['You both listed cardiology'],
    unmet: ['Same language'],
    mentee_response: 'pending',
    mentor_response: 'pending',
    reason: null,
    channel_id: null,
    created_at: '2030-01-01T00:00:00Z',
    activated_at: null,
    ended_at: null,
    ...overrides,
  };
}

export function meeting(overrides: Partial<Meeting> = {}): Meeting {
  return {
    id: 'meeting-1',
    program_id: 'p1',
    match_id: 'match-1',
    organizer: { user_id: ME, name: 'Kwame' },
    invitee: { user_id: THEM, name: 'Nia' },
    title: 'Career plans',
    agenda: '',
    starts_at: '2030-01-15T15:00:00Z',
    duration_min: 30,
    status: 'proposed',
    proposed_by: ME,
    updated_at: '2030-01-10T12:00:00Z',
    ...overrides,
  };
}

export function groupEvent(overrides: Partial<GroupEvent> = {}): GroupEvent {
  return {
    id: 'event-1',
    program_id: 'program-1',
    title: 'Careers panel',
    description: '',
    starts_at: '2030-01-15T15:00:00Z',
    duration_min: 90,
    capacity: 50,
    going: 12,
    audience: 'program',
    cohort: '',
    status: 'scheduled',
    host: { user_id: 'host', name: 'Cora Coordinator' },
    speakers: [],
    my_rsvp: null,
    chat_channel: null,
    ended_at: null,
    ...overrides,
  };
}

// Types of the chat protocol, version 1 (docs/protocol.md): the frames a client sends and
// receives over `/ws`, the channel view and the log events. Kept apart from the HTTP types
// because the same shapes arrive over both; those that do (channels, log events, history pages)
// are the OpenAPI document's schemas (api/types.ts says how).
import type { components } from '../api/schema';
import type { Match, Meeting } from '../api/types';
import type { Alert, SurveyInvitation } from '../api/programData';
import type { GroupEvent } from '../api/events';

export const PROTOCOL_VERSION = 1;
/** Sender of system messages (a new pair's welcome): the Kindred account, never a channel member. */
export const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';
/** Longest message body, in characters (Unicode code points, as the server counts them). */
export const MAX_MESSAGE_CHARS = 4000;

type Schemas = components['schemas'];

export type ChannelKind = Schemas['ChannelKind'];
export type PresenceState = 'online' | 'away' | 'offline';
export type EventKind = Schemas['EventKind'];

export type ChannelMemberView = Schemas['ChannelMemberView'];

/** A channel as `POST /api/programs/{id}/channels` returns it. */
export type Channel = Schemas['Channel'];

/**
 * One person's view of a channel (welcome, channel_added, GET /api/channels, GET
 * /api/channels/{id}). `last_activity_at` is the time of its latest message, or its creation
 * without one: the channel list is ordered by it, most recent first.
 */
export type ChannelView = Schemas['ChannelView'];

/**
 * One entry of a channel's log, or (in history pages) a message in its current state;
 * target_seq, edited_at and deleted_at null when unset.
 */
export type ChatEvent = Schemas['Event'];

/** `GET /api/channels/{id}/messages`: `next_before` is null at the beginning of the channel. */
export type HistoryPage = Schemas['History'];

export type ErrorCode =
  | 'bad_frame'
  | 'unknown_type'
  | 'binary_not_supported'
  | 'invalid'
  | 'not_member'
  | 'read_only'
  | 'conduct_required'
  | 'muted'
  | 'slow_mode'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'seq_from_future'
  | 'rate_limited'
  | 'out_of_order'
  | 'internal';

// Client → server.
export type ClientFrame =
  | { type: 'hello'; v: number; last_seq: Record<string, number> }
  | { type: 'send'; ref: string; channel: string; client_id: string; body: string }
  | { type: 'edit'; ref: string; channel: string; client_id: string; target: number; body: string }
  | { type: 'delete'; ref: string; channel: string; client_id: string; target: number }
  | { type: 'read'; ref: string; channel: string; seq: number }
  | { type: 'typing'; channel: string }
  | { type: 'presence'; state: 'online' | 'away' }
  | { type: 'sync'; ref: string; channel: string; after: number }
  | { type: 'ping'; ref: string }
  | CallClientFrame
  | RoomClientFrame;

// Calls (docs/protocol.md, "Calls (1:1 video signaling)"): client → server.
export type DeclineReason = 'declined' | 'busy';
export type CallClientFrame =
  | { type: 'call_invite'; ref?: string; call: string; to: string }
  | { type: 'call_ringing'; ref?: string; call: string }
  | { type: 'call_accept'; ref?: string; call: string }
  | { type: 'call_decline'; ref?: string; call: string; reason?: DeclineReason }
  | { type: 'call_hangup'; ref?: string; call: string }
  | { type: 'sdp_offer'; ref?: string; call: string; sdp: string }
  | { type: 'sdp_answer'; ref?: string; call: string; sdp: string }
  | {
      type: 'ice_candidate';
      ref?: string;
      call: string;
      candidate: string;
      sdp_mid?: string;
      sdp_m_line_index?: number;
    }
  | { type: 'call_connected'; ref?: string; call: string };

// Server → client.
export interface WelcomeFrame {
  type: 'welcome';
  v: number;
  user_id: string;
  heartbeat_ms: number;
  /** The first page of my channels (the most recently active); the rest come from GET /api/channels. */
  channels: ChannelView[];
  /** `cursor` for the next page of GET /api/channels; null when `channels` holds them all. */
  channels_next: string | null;
  presence: Record<string, PresenceState>;
}
export interface EventFrame extends ChatEvent {
  type: 'event';
  /** Live edits and deletes: the changed message's new state. */
  message?: ChatEvent;
}
export interface CaughtUpFrame {
  type: 'caught_up';
  last_seq: Record<string, number>;
}
export interface SyncedFrame {
  type: 'synced';
  ref?: string;
  channel: string;
  last_seq: number;
}
export interface AckFrame {
  type: 'ack';
  ref?: string;
  channel: string;
  client_id: string;
  seq: number;
  id: string;
  created: boolean;
}
export interface ReadFrame {
  type: 'read';
  channel: string;
  user_id: string;
  seq: number;
}
export interface UnreadFrame {
  type: 'unread';
  channel: string;
  last_read_seq: number;
  unread: number;
}
export interface TypingFrame {
  type: 'typing';
  channel: string;
  user_id: string;
}
export interface PresenceFrame {
  type: 'presence';
  user_id: string;
  state: PresenceState;
}
export interface ChannelAddedFrame {
  type: 'channel_added';
  channel: ChannelView;
}
/**
 * A coordinator took me out of a channel (docs/safety.md): drop it; its frames stop, and writes
 * there answer `not_member`.
 */
export interface ChannelRemovedFrame {
  type: 'channel_removed';
  channel: string;
}
/** A coordinator locked or unlocked a channel of mine: read its view again (`locked`, `can_post`). */
export interface ChannelChangedFrame {
  type: 'channel_changed';
  channel: string;
}
/** A match of mine changed (docs/matching.md, "Live"). */
export interface MatchFrame {
  type: 'match';
  match: Match;
}
/**
 * A scheduled meeting of mine was proposed, moved, accepted, declined or cancelled; with
 * `reminder`, it starts in 15 minutes (docs/protocol.md).
 */
export interface MeetingFrame {
  type: 'meeting';
  meeting: Meeting;
  reminder: boolean;
}
export interface ResyncFrame {
  type: 'resync';
}
export interface PongFrame {
  type: 'pong';
  ref?: string;
}
export interface ErrorFrame {
  type: 'error';
  ref?: string;
  code: ErrorCode | string;
  message: string;
}

// Calls: server → client. Relayed frames name who sent them (`from`, `by`).
export type CallStateName = 'inviting' | 'ringing' | 'connecting' | 'in_call' | 'ended';
export type CallEndReason = 'hung_up' | 'declined' | 'missed' | 'cancelled' | 'failed' | 'busy';
export type CallErrorCode =
  | 'not_participant'
  | 'wrong_state'
  | 'forbidden'
  | 'invalid'
  | 'too_many_candidates'
  | 'offline'
  | 'internal';

export interface CallInviteFrame {
  type: 'call_invite';
  call: string;
  from: string;
  to: string;
}
export interface CallRingingFrame {
  type: 'call_ringing';
  call: string;
  by: string;
}
export interface CallAcceptFrame {
  type: 'call_accept';
  call: string;
  by: string;
}
export interface CallDeclineFrame {
  type: 'call_decline';
  call: string;
  by: string;
  reason: DeclineReason;
}
export interface CallHangupFrame {
  type: 'call_hangup';
  call: string;
  by: string;
}
export interface SdpOfferFrame {
  type: 'sdp_offer';
  call: string;
  from: string;
  sdp: string;
}
export interface SdpAnswerFrame {
  type: 'sdp_answer';
  call: string;
  from: string;
  sdp: string;
}
export interface IceCandidateFrame {
  type: 'ice_candidate';
  call: string;
  from: string;
  /** `candidate:…`, or empty for the end of candidates. */
  candidate: string;
  sdp_mid?: string;
  sdp_m_line_index?: number;
}
/** Sent to both people after every change of a call; authoritative. */
export interface CallStateFrame {
  type: 'call_state';
  call: string;
  caller: string;
  callee: string;
  state: CallStateName;
  /** Only when ended. */
  reason?: CallEndReason;
  /** Who hung up (reason `hung_up`). */
  by?: string;
  /** My role in perfect negotiation: the polite peer rolls back its own offer on a collision. */
  polite: boolean;
  /** Two crossed invitations were merged into this call; this was the other one's id. */
  replaces?: string;
}
export interface CallErrorFrame {
  type: 'call_error';
  ref?: string;
  call: string;
  code: CallErrorCode | string;
  message: string;
}

export type CallServerFrame =
  | CallInviteFrame
  | CallRingingFrame
  | CallAcceptFrame
  | CallDeclineFrame
  | CallHangupFrame
  | SdpOfferFrame
  | SdpAnswerFrame
  | IceCandidateFrame
  | CallStateFrame
  | CallErrorFrame;

export const CALL_SERVER_TYPES: ReadonlySet<string> = new Set([
  'call_invite',
  'call_ringing',
  'call_accept',
  'call_decline',
  'call_hangup',
  'sdp_offer',
  'sdp_answer',
  'ice_candidate',
  'call_state',
  'call_error',
]);

export function isCallFrame(frame: ServerFrame): frame is CallServerFrame {
  return CALL_SERVER_TYPES.has(frame.type);
}

// Group event rooms (docs/protocol.md, "Group event rooms (live events, SFU)"). Every frame names
// its `event`; the room's media goes through the SFU on two peer connections per person.
export type RoomRole = 'host' | 'speaker' | 'audience';
export type RoomStatus = 'lobby' | 'live' | 'ended';
export type RoomSource = 'camera' | 'microphone' | 'screen';
export type RoomLeftReason = 'left' | 'removed' | 'ended' | 'elsewhere';
export type RoomErrorCode =
  | 'forbidden'
  | 'not_in_room'
  | 'not_on_stage'
  | 'locked'
  | 'removed'
  | 'not_open'
  | 'invalid'
  | 'unavailable';

// Client → server.
export type RoomClientFrame =
  | { type: 'room_join'; ref?: string; event: string }
  | { type: 'room_leave'; ref?: string; event: string }
  | { type: 'room_open'; ref?: string; event: string }
  | { type: 'room_admit'; ref?: string; event: string; user: string }
  | { type: 'room_lock'; ref?: string; event: string; locked: boolean }
  | { type: 'room_end'; ref?: string; event: string }
  | { type: 'room_hand'; ref?: string; event: string; raised: boolean }
  | { type: 'room_stage'; ref?: string; event: string; user: string; on_stage: boolean }
  | { type: 'room_mute'; ref?: string; event: string; user: string; muted: boolean }
  | { type: 'room_remove'; ref?: string; event: string; user: string }
  | { type: 'room_publish'; ref?: string; event: string; sdp: string; sources: Record<string, RoomSource> }
  | { type: 'room_answer'; ref?: string; event: string; sdp: string };

/** Me in the room (`room_state.you`). */
export interface RoomYou {
  user: string;
  role: RoomRole;
  admitted: boolean;
  hand: boolean;
  muted: boolean;
}
/** Someone in the room (hosts also see the lobby: `admitted: false`). */
export interface RoomPerson extends RoomYou {
  name: string;
}
/** What one `mid` of the subscribe connection carries. */
export interface RoomTrack {
  mid: string;
  user: string;
  kind: 'audio' | 'video';
  source: RoomSource;
}

// Server → client.
export interface RoomStateFrame {
  type: 'room_state';
  event: string;
  status: RoomStatus;
  locked: boolean;
  you: RoomYou;
  people: RoomPerson[];
  active_speaker?: string | null;
}
export interface RoomPublishAnswerFrame {
  type: 'room_publish_answer';
  event: string;
  sdp: string;
}
export interface RoomOfferFrame {
  type: 'room_offer';
  event: string;
  sdp: string;
  tracks: RoomTrack[];
}
export interface RoomSpeakerFrame {
  type: 'room_speaker';
  event: string;
  /** Absent (or null): nobody speaks. */
  user?: string | null;
}
export interface RoomLeftFrame {
  type: 'room_left';
  event: string;
  reason: RoomLeftReason;
}
export interface RoomErrorFrame {
  type: 'room_error';
  ref?: string;
  event: string;
  code: RoomErrorCode | string;
  message: string;
}

/** The node's media server started over: the room lost everyone's media; join again. */
export interface RoomResetFrame {
  type: 'room_reset';
  event: string;
}

export type RoomServerFrame =
  | RoomStateFrame
  | RoomPublishAnswerFrame
  | RoomOfferFrame
  | RoomSpeakerFrame
  | RoomLeftFrame
  | RoomResetFrame
  | RoomErrorFrame;

export const ROOM_SERVER_TYPES: ReadonlySet<string> = new Set([
  'room_state',
  'room_publish_answer',
  'room_offer',
  'room_speaker',
  'room_left',
  'room_reset',
  'room_error',
]);

export function isRoomFrame(frame: ServerFrame): frame is RoomServerFrame {
  return ROOM_SERVER_TYPES.has(frame.type);
}

/** A survey invitation of mine arrived, or (`reminder`) still waits (docs/program-data.md). */
export interface SurveyFrame {
  type: 'survey';
  survey: SurveyInvitation;
  reminder?: boolean;
}
/**
 * A group event I host, speak at or go to was cancelled; with `reminder`, it starts in 15
 * minutes (docs/events.md).
 */
export interface GroupEventFrame {
  type: 'group_event';
  event: GroupEvent;
  reminder: boolean;
}
/** A pair of a program I coordinate was flagged at risk (docs/program-data.md). */
export interface AlertFrame {
  type: 'alert';
  alert: Alert;
}

/**
 * I blocked someone (`blocked: true`) or lifted my block (`false`), here or on another device of
 * mine (docs/safety.md). Never sent to the other person.
 */
export interface BlockFrame {
  type: 'block';
  user_id: string;
  blocked: boolean;
}

/**
 * To a program's coordinators: a new report is in the moderation queue (`status: open`;
 * `repeat`: the person was reported by someone else before, or often). To the reporter: their
 * report was reviewed (`status: reviewed`; what was done is not said). docs/safety.md.
 */
export interface ReportFrame {
  type: 'report';
  program_id: string;
  report_id: string;
  status: 'open' | 'reviewed';
  repeat: boolean;
}

export type ServerFrame =
  | CallServerFrame
  | RoomServerFrame
  | WelcomeFrame
  | EventFrame
  | CaughtUpFrame
  | SyncedFrame
  | AckFrame
  | ReadFrame
  | UnreadFrame
  | TypingFrame
  | PresenceFrame
  | ChannelAddedFrame
  | ChannelRemovedFrame
  | ChannelChangedFrame
  | MatchFrame
  | MeetingFrame
  | SurveyFrame
  | GroupEventFrame
  | AlertFrame
  | BlockFrame
  | ReportFrame
  | ResyncFrame
  | PongFrame
  | ErrorFrame;

const SERVER_TYPES = new Set([
  'welcome',
  'event',
  'caught_up',
  'synced',
  'ack',
  'read',
  'unread',
  'typing',
  'presence',
  'channel_added',
  'channel_removed',
  'channel_changed',
  'match',
  'meeting',
  'survey',
  'group_event',
  'alert',
  'block',
  'report',
  'resync',
  'pong',
  'error',
]);

/**
 * Parses one text frame from the server. Returns null for anything that is not a JSON object
 * with a known `type`: a newer server may add frame types, which this client ignores.
 */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return null;
  if (!(SERVER_TYPES.has(type) || CALL_SERVER_TYPES.has(type) || ROOM_SERVER_TYPES.has(type))) return null;
  return value as ServerFrame;
}

/** Length of a message body as the server counts it (code points, not UTF-16 units). */
export function bodyLength(body: string): number {
  return Array.from(body).length;
}

/** Why a body cannot be sent, or null when it can. */
export function bodyProblem(body: string): string | null {
  if (body.trim() === '') return 'Write a message first.';
  const length = bodyLength(body);
  if (length > MAX_MESSAGE_CHARS) {
    return `Messages can be at most ${MAX_MESSAGE_CHARS} characters; this one has ${length}.`;
  }
  return null;
}

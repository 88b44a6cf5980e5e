// Types of the Kindred HTTP API. Most are the schemas of the server's OpenAPI document
// (openapi.json, turned into schema.d.ts by `npm run api:generate`), named for the client.
// The few written out here say why: each is a place where the document does not yet describe
// what the server sends — most often a field the server always sends, null when unset, that
// the document calls optional — so the type follows the server until the document is fixed.
// Timestamps are RFC 3339 strings; dates are "YYYY-MM-DD".
import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export const ROLES: readonly Role[] = ['mentee', 'mentor', 'coordinator'];

export type CareerStage = Schemas['CareerStage'];

export const CAREER_STAGES: readonly { value: CareerStage; label: string }[] = [
  { value: 'undergraduate', label: 'Undergraduate' },
  { value: 'medical_student', label: 'Medical student' },
  { value: 'resident', label: 'Resident' },
  { value: 'fellow', label: 'Fellow' },
  { value: 'attending', label: 'Attending' },
  { value: 'faculty', label: 'Faculty' },
  { value: 'other', label: 'Other' },
];

/**
 * Written out: the document's `User` calls pronouns, institution, career_stage and time_zone
 * optional; the server always sends them, null when unset.
 */
export interface User {
  id: string;
  email: string;
  name: string;
  pronouns: string | null;
  institution: string | null;
  career_stage: CareerStage | null;
  time_zone: string | null;
  is_admin: boolean;
  can_create_programs: boolean;
  created_at: string;
}

export type Membership = Schemas['MembershipView'];

/** Written out: the document's `SessionView` holds its `User` (above). */
export interface Session {
  user: User;
  csrf_token: string;
  memberships: Membership[];
}

/**
 * Written out: the document's `Program` calls starts_on, ends_on and my_role optional; the
 * server always sends them, null when unset.
 */
export interface Program {
  id: string;
  name: string;
  description: string;
  starts_on: string | null;
  ends_on: string | null;
  created_at: string;
  my_role: Role | null;
}

/**
 * Written out: the document's `Member` calls pronouns, institution and career_stage optional;
 * the server always sends them, null when unset.
 */
export interface Member {
  user_id: string;
  name: string;
  email: string;
  role: Role;
  pronouns: string | null;
  institution: string | null;
  career_stage: CareerStage | null;
  joined_at: string;
}

export type InvitationStatus = Schemas['InvitationStatus'];

/**
 * Written out: the document's `Invitation` calls accepted_at optional; the server always sends
 * it, null until accepted. (`link` is rightly optional.)
 */
export interface Invitation {
  id: string;
  program_id: string;
  email: string;
  name: string;
  role: Role;
  status: InvitationStatus;
  expires_at: string;
  created_at: string;
  accepted_at: string | null;
  /** Only in create and resend responses. */
  link?: string | null;
}

export type InvitationPreview = Schemas['InvitationPreview'];

/** Written out: the document's `ImportResult` holds its `Invitation` (above). */
export interface ImportResult {
  created: Invitation[];
  errors: Schemas['ImportError'][];
}

export type Mail = Schemas['Mail'];

/**
 * Written out: the document's `ApiToken` calls last_used_at optional; the server always sends
 * it, null until the token is used.
 */
export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** Written out: the document's `CreatedToken` holds its `ApiToken` (above). */
export interface CreatedToken {
  token: ApiToken;
  secret: string;
}

/**
 * A page of a list. Written out: the document's `List_*` schemas call next_cursor optional;
 * the server always sends it, null on the last page.
 */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// Matching (docs/matching.md).

/**
 * The questionnaire is filled in as a mentee or as a mentor. Written out: the document's
 * `QuestionnaireView.role` is any `Role`, but a coordinator has no questionnaire (the server
 * refuses), so it is never `coordinator`.
 */
export type MatchingRole = Exclude<Role, 'coordinator'>;

/** Who may see a sensitive answer besides the matching itself. */
export type Visibility = Schemas['Visibility'];

export const VISIBILITIES: readonly { value: Visibility; label: string }[] = [
  { value: 'matching_only', label: 'Only for matching — shown to no one' },
  { value: 'coordinators', label: 'Matching, and shown to the program’s coordinators' },
  { value: 'match', label: 'Matching, coordinators, and shown to my match' },
];

/**
 * Intake answers; every field is optional in a draft. Written out: the document's `Background`
 * and `Gender` call all their fields optional; the server always sends them (`values`, `value`
 * and `visibility`). (The document's `Answers` also lets each field be null, which the server
 * accepts and never sends: it leaves unset fields out.)
 */
export interface Answers {
  career_stage?: CareerStage;
  institution?: string;
  region?: string;
  time_zone?: string;
  languages?: string[];
  interests?: string[];
  tags?: string[];
  goals?: string;
  experience?: string;
  expertise?: string;
  capacity?: number;
  hours_per_month?: number;
  accepting?: boolean;
  background?: { values: string[]; visibility: Visibility };
  gender?: { value: string; visibility: Visibility };
  prefer_shared_background?: boolean;
  prefer_other_institution?: boolean;
  preferred_language?: string;
  custom?: Record<string, string>;
}

export type Interest = Schemas['Interest'];

export type QuestionKind = Schemas['QuestionKind'];
export type QuestionAudience = Schemas['Audience'];

export type Question = Schemas['Question'];

export type NewQuestion = Schemas['QuestionInput'];

/**
 * My questionnaire in a program (GET and PUT answer the same shape). Written out: the
 * document's `QuestionnaireView` calls completed_at and updated_at optional (the server always
 * sends them, null until then), and holds `Answers` and a `role` that are written out above.
 */
export interface Questionnaire {
  role: MatchingRole;
  answers: Answers;
  completed_at: string | null;
  updated_at: string | null;
  questions: Question[];
  interests: Interest[];
}

export type Weights = Schemas['Weights'];
export type WeightKey = keyof Weights;

export type MatchingSettings = Schemas['MatchingSettings'];

export type RoundStatus = Schemas['RoundStatus'];
export type RoundMode = Schemas['RoundMode'];

/**
 * Written out: the document's `Proposal` calls approved optional; the server always sends it.
 */
export interface Proposal {
  mentee_id: string;
  mentee_name: string;
  mentor_id: string;
  mentor_name: string;
  score: number;
  parts: Partial<Record<WeightKey, number>>;
  reasons: string[];
  unmet: string[];
  approved: boolean;
}

export type Unmatched = Schemas['Waiting'];

export type MentorLoad = Schemas['MentorLoad'];

/**
 * A matching round. A preview (POST …/matching/preview) is not stored: it has no id, status or
 * creation time. Written out: it holds `Proposal` (above); and the document's `Round` calls id,
 * status and created_at optional where the server always sends them (null for a preview).
 */
export interface Round {
  id?: string | null;
  program_id: string;
  status?: RoundStatus | null;
  mode: RoundMode;
  created_at?: string | null;
  weights: Weights;
  total_score: number;
  mentees_considered: number;
  mentors_considered: number;
  proposals: Proposal[];
  unmatched: Unmatched[];
  mentor_load: MentorLoad[];
}

/** A stored round (from POST or GET …/matching/rounds). */
export type StoredRound = Round & { id: string; status: RoundStatus; created_at: string };

/**
 * How well a mentee and a mentor would fit, and whether they may be placed together. Written
 * out: the document's `PairScore` calls problem optional; the server always sends it, null when
 * the pair may be placed.
 */
export interface PairScore {
  score: number;
  parts: Partial<Record<WeightKey, number>>;
  reasons: string[];
  unmet: string[];
  allowed: boolean;
  problem: string | null;
}

export type MatchStatus = Schemas['MatchStatus'];
export const MATCH_STATUSES: readonly MatchStatus[] = ['proposed', 'active', 'declined', 'ended'];
export type MatchResponse = Schemas['Response'];

export type MatchPerson = Schemas['PersonRef'];

/**
 * Written out: the document's `Match` calls reason, channel_id, activated_at and ended_at
 * optional; the server always sends them, null when unset.
 */
export interface Match {
  id: string;
  program_id: string;
  program_name: string;
  status: MatchStatus;
  mentee: MatchPerson;
  mentor: MatchPerson;
  score: number;
  reasons: string[];
  unmet: string[];
  mentee_response: MatchResponse;
  mentor_response: MatchResponse;
  reason: string | null;
  channel_id: string | null;
  created_at: string;
  activated_at: string | null;
  ended_at: string | null;
}

// Calls (docs/protocol.md, "Calls").

/**
 * `GET /api/calls/ice-servers`: entries of `RTCConfiguration.iceServers`, TURN credentials
 * included. Written out: the document's `IceServer` lets username and credential be null; the
 * server leaves them out instead, and `RTCIceServer` does not take null.
 */
export interface IceConfig {
  ice_servers: { urls: string | string[]; username?: string; credential?: string }[];
  /** Seconds the TURN credentials stay valid. */
  ttl_secs: number;
}

/**
 * A call's record, as coordinators see it (`GET /api/programs/{id}/calls`). Written out: the
 * document's `CallSummary` calls started_at, ended_at, end_reason and duration_ms optional; the
 * server always sends them, null when unset.
 */
export interface CallSummary {
  id: string;
  program_id: string;
  caller_id: string;
  callee_id: string;
  live: boolean;
  invited_at: number;
  started_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  duration_ms: number | null;
  caller_joined: boolean;
  callee_joined: boolean;
}

// Scheduled meetings and check-ins (server/src/api/meetings.rs).

export type MeetingStatus = Schemas['MeetingStatus'];

/** A scheduled meeting of a pair (`GET /api/me/meetings`, and the `meeting` frame). */
export type Meeting = Schemas['Meeting'];

export type NewMeeting = Schemas['MeetingInput'];

/** `POST /api/me/calendar-feed`: a private URL (it replaces, and disables, any earlier one). */
export type CalendarFeed = Schemas['CalendarFeed'];

/** Calls I took part in (both joined) that I have not rated yet, newest first. */
export type PendingCheckins = Schemas['PendingCheckins'];

/**
 * A program's check-ins, in aggregate only (coordinators). Written out: the document's
 * `CheckinSummary` calls average optional; the server always sends it, null without check-ins.
 */
export interface CheckinSummary {
  count: number;
  /** Mean rating, 1 to 5; null without check-ins. */
  average: number | null;
  /** How many gave 1, 2, 3, 4 and 5. */
  distribution: number[];
}

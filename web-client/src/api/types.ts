// Types of the Kindred HTTP API (see /api/openapi.json on a running server).
// Timestamps are RFC 3339 strings; dates are "YYYY-MM-DD".

export type Role = 'coordinator' | 'mentor' | 'mentee';
export const ROLES: readonly Role[] = ['mentee', 'mentor', 'coordinator'];

export type CareerStage =
  | 'undergraduate'
  | 'medical_student'
  | 'resident'
  | 'fellow'
  | 'attending'
  | 'faculty'
  | 'other';

export const CAREER_STAGES: readonly { value: CareerStage; label: string }[] = [
  { value: 'undergraduate', label: 'Undergraduate' },
  { value: 'medical_student', label: 'Medical student' },
  { value: 'resident', label: 'Resident' },
  { value: 'fellow', label: 'Fellow' },
  { value: 'attending', label: 'Attending' },
  { value: 'faculty', label: 'Faculty' },
  { value: 'other', label: 'Other' },
];

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

export interface Membership {
  program_id: string;
  program_name: string;
  role: Role;
}

export interface Session {
  user: User;
  csrf_token: string;
  memberships: Membership[];
}

export interface Program {
  id: string;
  name: string;
  description: string;
  starts_on: string | null;
  ends_on: string | null;
  created_at: string;
  my_role: Role | null;
}

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

export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

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

export interface InvitationPreview {
  program: { id: string; name: string };
  email: string;
  name: string;
  role: Role;
  expires_at: string;
  account_exists: boolean;
}

export interface ImportResult {
  created: Invitation[];
  errors: { line: number; reason: string }[];
}

export interface Mail {
  id: string;
  to: string;
  subject: string;
  body: string;
  created_at: string;
}

export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface CreatedToken {
  token: ApiToken;
  secret: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// Matching (docs/matching.md).

/** The questionnaire is filled in as a mentee or as a mentor. */
export type MatchingRole = 'mentee' | 'mentor';

/** Who may see a sensitive answer besides the matching itself. */
export type Visibility = 'matching_only' | 'coordinators' | 'match';

export const VISIBILITIES: readonly { value: Visibility; label: string }[] = [
  { value: 'matching_only', label: 'Only for matching — shown to no one' },
  { value: 'coordinators', label: 'Matching, and shown to the program’s coordinators' },
  { value: 'match', label: 'Matching, coordinators, and shown to my match' },
];

/** Intake answers; every field is optional in a draft. */
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

export interface Interest {
  id: string;
  label: string;
}

export type QuestionKind = 'choice' | 'text';
export type QuestionAudience = 'mentee' | 'mentor' | 'both';

export interface Question {
  id: string;
  prompt: string;
  kind: QuestionKind;
  options: string[];
  audience: QuestionAudience;
  required: boolean;
  feeds_matching: boolean;
  created_at: string;
}

export interface NewQuestion {
  prompt: string;
  kind: QuestionKind;
  options: string[];
  audience: QuestionAudience;
  required: boolean;
  feeds_matching: boolean;
}

/** My questionnaire in a program (GET and PUT answer the same shape). */
export interface Questionnaire {
  role: MatchingRole;
  answers: Answers;
  completed_at: string | null;
  updated_at: string | null;
  questions: Question[];
  interests: Interest[];
}

export type WeightKey = 'interests' | 'goals' | 'preferences' | 'career_stage' | 'time_zone' | 'institution' | 'custom';
export type Weights = Record<WeightKey, number>;

export interface MatchingSettings {
  weights: Weights;
  auto_match: boolean;
}

export type RoundStatus = 'preview' | 'approved' | 'discarded';
export type RoundMode = 'whole_cohort' | 'incremental';

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

export interface Unmatched {
  user_id: string;
  name: string;
  reason: string;
}

export interface MentorLoad {
  user_id: string;
  name: string;
  capacity: number;
  open: number;
  proposed: number;
  accepting: boolean;
}

/**
 * A matching round. A preview (POST …/matching/preview) is not stored: it has no id, status or
 * creation time.
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

/** How well a mentee and a mentor would fit, and whether they may be placed together. */
export interface PairScore {
  score: number;
  parts: Partial<Record<WeightKey, number>>;
  reasons: string[];
  unmet: string[];
  allowed: boolean;
  problem: string | null;
}

export type MatchStatus = 'proposed' | 'active' | 'declined' | 'ended';
export const MATCH_STATUSES: readonly MatchStatus[] = ['proposed', 'active', 'declined', 'ended'];
export type MatchResponse = 'pending' | 'accepted' | 'declined';

export interface MatchPerson {
  user_id: string;
  name: string;
}

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

/** `GET /api/calls/ice-servers`: entries of `RTCConfiguration.iceServers`, TURN credentials included. */
export interface IceConfig {
  ice_servers: { urls: string | string[]; username?: string; credential?: string }[];
  /** Seconds the TURN credentials stay valid. */
  ttl_secs: number;
}

/** A call's record, as coordinators see it (`GET /api/programs/{id}/calls`). */
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

export type MeetingStatus = 'proposed' | 'accepted' | 'declined' | 'cancelled';

/** A scheduled meeting of a pair (`GET /api/me/meetings`, and the `meeting` frame). */
export interface Meeting {
  id: string;
  program_id: string;
  match_id: string;
  organizer: MatchPerson;
  invitee: MatchPerson;
  title: string;
  agenda: string;
  /** RFC 3339. */
  starts_at: string;
  duration_min: number;
  status: MeetingStatus;
  /** Who proposed the current time; the other person accepts it or proposes another. */
  proposed_by: string;
  updated_at: string;
}

export interface NewMeeting {
  match_id: string;
  title: string;
  agenda: string;
  starts_at: string;
  duration_min: number;
  client_id: string;
}

/** `POST /api/me/calendar-feed`: a private URL (it replaces, and disables, any earlier one). */
export interface CalendarFeed {
  url: string;
}

/** Calls I took part in (both joined) that I have not rated yet, newest first. */
export interface PendingCheckins {
  calls: string[];
}

/** A program's check-ins, in aggregate only (coordinators). */
export interface CheckinSummary {
  count: number;
  /** Mean rating, 1 to 5; null without check-ins. */
  average: number | null;
  /** How many gave 1, 2, 3, 4 and 5. */
  distribution: number[];
}

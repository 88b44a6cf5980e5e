// Types of the Kindred HTTP API: the schemas of the server's OpenAPI document (openapi.json,
// turned into schema.d.ts by `npm run api:generate`), named for the client. Nothing here is
// written out by hand: when the document is wrong, the server's schema is fixed.
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

export type User = Schemas['User'];

export type Membership = Schemas['MembershipView'];

export type Session = Schemas['SessionView'];

export type Program = Schemas['Program'];

export type Member = Schemas['Member'];

export type InvitationStatus = Schemas['InvitationStatus'];

/** `accepted_at` is null until accepted; `link` is only in create and resend responses. */
export type Invitation = Schemas['Invitation'];

export type InvitationPreview = Schemas['InvitationPreview'];

export type ImportResult = Schemas['ImportResult'];

export type Mail = Schemas['Mail'];

/** `last_used_at` is null until the token is used. */
export type ApiToken = Schemas['ApiToken'];

export type CreatedToken = Schemas['CreatedToken'];

/**
 * A page of a list: the shape of each of the document's `List_*` schemas (one per kind of item),
 * for any item; `next_cursor` is null on the last page.
 */
export type Page<T> = Omit<Schemas['List_Program'], 'items'> & { items: T[] };

// Matching (docs/matching.md).

/** The questionnaire is filled in as a mentee or as a mentor (coordinators have none). */
export type MatchingRole = Schemas['QuestionnaireRole'];

/** Who may see a sensitive answer besides the matching itself. */
export type Visibility = Schemas['Visibility'];

export const VISIBILITIES: readonly { value: Visibility; label: string }[] = [
  { value: 'matching_only', label: 'Only for matching — shown to no one' },
  { value: 'coordinators', label: 'Matching, and shown to the program’s coordinators' },
  { value: 'match', label: 'Matching, coordinators, and shown to my match' },
];

/** Intake answers; every field is optional in a draft. */
export type Answers = Schemas['Answers'];

export type Interest = Schemas['Interest'];

export type QuestionKind = Schemas['QuestionKind'];
export type QuestionAudience = Schemas['Audience'];

export type Question = Schemas['Question'];

export type NewQuestion = Schemas['QuestionInput'];

/**
 * My questionnaire in a program (GET and PUT answer the same shape); completed_at and
 * updated_at are null until then.
 */
export type Questionnaire = Schemas['QuestionnaireView'];

export type Weights = Schemas['Weights'];
export type WeightKey = keyof Weights;

export type MatchingSettings = Schemas['MatchingSettings'];

export type RoundStatus = Schemas['RoundStatus'];
export type RoundMode = Schemas['RoundMode'];

export type Proposal = Schemas['Proposal'];

export type Unmatched = Schemas['Waiting'];

export type MentorLoad = Schemas['MentorLoad'];

/**
 * A matching round. A preview (POST …/matching/preview) is not stored: its id, status and
 * creation time are null.
 */
export type Round = Schemas['Round'];

/** A stored round (from POST or GET …/matching/rounds). */
export type StoredRound = Round & { id: string; status: RoundStatus; created_at: string };

/**
 * How well a mentee and a mentor would fit, and whether they may be placed together (`problem`
 * says why not; null when they may).
 */
export type PairScore = Schemas['PairScore'];

export type MatchStatus = Schemas['MatchStatus'];
export const MATCH_STATUSES: readonly MatchStatus[] = ['proposed', 'active', 'declined', 'ended'];
export type MatchResponse = Schemas['Response'];

export type MatchPerson = Schemas['PersonRef'];

export type Match = Schemas['Match'];

// Calls (docs/protocol.md, "Calls").

/**
 * `GET /api/calls/ice-servers`: entries of `RTCConfiguration.iceServers` (username and
 * credential are left out, never null, for STUN servers), TURN credentials included, and the
 * seconds they stay valid.
 */
export type IceConfig = Schemas['IceConfig'];

/** A call's record, as coordinators see it (`GET /api/programs/{id}/calls`). */
export type CallSummary = Schemas['CallSummary'];

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
 * A program's check-ins, in aggregate only (coordinators). `average` and `distribution` are null
 * until at least `minimum_people` different people have rated calls (`people` so far): with
 * fewer, a total could be one person's rating.
 */
export type CheckinSummary = Schemas['CheckinSummary'];

/**
 * `POST /api/calls/{id}/checkin`: what Kindred offers the person who sent it, and them alone.
 * `support_offer` is set when their own ratings of calls with the other person are falling.
 */
export type CheckinResult = Schemas['CheckinResult'];

/** An offer to ask a coordinator to get in touch about a match (`with`: the other person). */
export type SupportOffer = Schemas['SupportOffer'];

// Safety (docs/safety.md).

/** Someone I blocked (GET /api/me/blocks). */
export type Block = Schemas['Block'];

/** What can be reported: a message, a person, a meeting, someone in an event. */
export type ReportKind = Schemas['ReportKind'];

/** Why something is reported. */
export type ReportCategory = Schemas['ReportCategory'];

/** How coordinators closed a report. */
export type ReportOutcome = Schemas['ReportOutcome'];

/** Where a report is, as its reporter sees it: open, or reviewed (what was done is not said). */
export type ReportStatus = Schemas['ReportStatus'];

/** `POST /api/reports`: which ids are needed depends on `kind` (docs/safety.md). */
export type ReportInput = Schemas['ReportInput'];

/** A report as its reporter sees it (`POST /api/reports`, `GET /api/me/reports`). */
export type MyReport = Schemas['MyReport'];

/** A report in the moderation queue, as the program's coordinators see it. */
export type Report = Schemas['Report'];

/** A copy of a message its reporter shared with the coordinators. */
export type ReportedMessage = Schemas['ReportedMessage'];

/** An earlier report about the same person in the program. */
export type EarlierReport = Schemas['EarlierReport'];

/** How a coordinator closes a report: always with a reason; a warning with its words. */
export type CloseReportInput = Schemas['CloseReportInput'];

/** A program's code of conduct, and where I stand with it (`text` empty when there is none). */
export type Conduct = Schemas['Conduct'];

/** A code of conduct I have yet to accept (`GET /api/me/conduct`). */
export type PendingConduct = Schemas['PendingConduct'];

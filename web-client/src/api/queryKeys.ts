// Every TanStack Query key of the app, one factory per resource, so that a query and the code
// that updates or invalidates it cannot drift apart. TanStack matches `invalidateQueries` keys
// by prefix: a narrower key is always built by extending the wider one (`[...wider, more]`),
// and keys that must NOT refetch together start differently (creating a program refetches
// `programs`, the paged list, but not any `program` already open; `matches` are mine, while
// `program-matches` are a coordinator's view). queryKeys.test.ts pins these relationships.
// The session's key is the one a sign-out keeps when it drops everything else (session.tsx).
import type { DashboardFilter } from './programData';
import type { InvitationStatus, MatchStatus } from './types';

/** GET /api/auth/session: who is signed in (null when nobody). */
export const sessionKeys = {
  current: ['session'] as const,
};

/** GET /api/me, my tokens and my notification settings. */
export const accountKeys = {
  me: ['me'] as const,
  /** GET /api/me/tokens (paged). */
  tokens: ['tokens'] as const,
  /** GET /api/me/notifications. */
  notifications: ['notifications'] as const,
};

export const programKeys = {
  /** GET /api/programs (paged). */
  list: ['programs'] as const,
  /** GET /api/programs/{id}. */
  detail: (programId: string) => ['program', programId] as const,
};

export const memberKeys = {
  /** GET /api/programs/{id}/members (paged, a page at a time). */
  list: (programId: string) => ['members', programId] as const,
  /** Every member at once (every page fetched), for pickers. */
  everyone: (programId: string) => [...memberKeys.list(programId), 'all'] as const,
};

export const invitationKeys = {
  /** A program's invitations under every status filter. */
  ofProgram: (programId: string) => ['invitations', programId] as const,
  /** GET /api/programs/{id}/invitations?status= (paged). */
  list: (programId: string, status: InvitationStatus | 'all') =>
    [...invitationKeys.ofProgram(programId), status] as const,
  /** GET /api/invitations/{token}: what an invitation link offers. */
  preview: (token: string) => ['invitation', token] as const,
};

/** A program's matching setup and console (coordinators). */
export const matchingKeys = {
  /** GET /api/programs/{id}/interests (paged). */
  interests: (programId: string) => ['interests', programId] as const,
  /** GET /api/programs/{id}/questions (paged). */
  questions: (programId: string) => ['questions', programId] as const,
  /** GET /api/programs/{id}/matching/settings. */
  settings: (programId: string) => ['matching-settings', programId] as const,
  /** GET /api/programs/{id}/matching/rounds. */
  rounds: (programId: string) => ['rounds', programId] as const,
  /** Every pair score of a program. */
  pairScores: (programId: string) => ['pair-score', programId] as const,
  /** GET /api/programs/{id}/matching/score?mentee=&mentor=. */
  pairScore: (programId: string, menteeId: string, mentorId: string) =>
    [...matchingKeys.pairScores(programId), menteeId, mentorId] as const,
};

/** GET /api/programs/{id}/questionnaire: my questionnaire in a program. */
export const questionnaireKeys = {
  mine: (programId: string) => ['questionnaire', programId] as const,
};

export const matchKeys = {
  /** GET /api/me/matches (paged): my matches, kept live by `match` frames. */
  mine: ['matches'] as const,
  /** A program's matches under every status filter (coordinators). */
  ofProgram: (programId: string) => ['program-matches', programId] as const,
  /** GET /api/programs/{id}/matching/matches?status= (paged). */
  list: (programId: string, status: MatchStatus | 'all') => [...matchKeys.ofProgram(programId), status] as const,
};

export const meetingKeys = {
  /** GET /api/me/meetings: kept live by `meeting` frames. */
  mine: ['meetings'] as const,
};

export const checkinKeys = {
  /** GET /api/me/checkins: calls I have not rated yet. */
  pending: ['checkins'] as const,
  /** GET /api/programs/{id}/checkins: a program's check-ins in aggregate. */
  summary: (programId: string) => ['program-checkins', programId] as const,
};

export const eventKeys = {
  /** GET /api/me/events (paged: an infinite query, chat/events.ts EventPages). */
  mine: ['my-events'] as const,
  /** GET /api/events/{id}. */
  detail: (eventId: string) => ['event', eventId] as const,
  /** GET /api/programs/{id}/events (paged: an infinite query, chat/events.ts EventPages). */
  ofProgram: (programId: string) => ['program-events', programId] as const,
};

export const surveyKeys = {
  /** GET /api/me/surveys: surveys waiting for my answers. */
  mine: ['my-surveys'] as const,
  /** GET /api/programs/{id}/surveys (paged). */
  ofProgram: (programId: string) => ['surveys', programId] as const,
  /** GET /api/programs/{id}/surveys/{survey}/results. */
  results: (programId: string, surveyId: string) => ['survey-results', programId, surveyId] as const,
};

/** A program's pairs: engagement, alerts about pairs at risk, the risk settings. */
export const pairKeys = {
  /** GET /api/programs/{id}/engagement (paged). */
  engagement: (programId: string) => ['engagement', programId] as const,
  /** A program's alerts, open or all. */
  alerts: (programId: string) => ['alerts', programId] as const,
  /** GET /api/programs/{id}/alerts?all= (paged). */
  alertList: (programId: string, all: boolean) => [...pairKeys.alerts(programId), all] as const,
  /** GET /api/programs/{id}/risk-settings. */
  riskSettings: (programId: string) => ['risk-settings', programId] as const,
};

/** The people I blocked (GET /api/me/blocks), kept live by `block` frames. */
const BLOCKS = ['blocks'] as const;
export const blockKeys = {
  /** Everything about my blocks: invalidating it refetches both lists below. */
  mine: BLOCKS,
  /** GET /api/me/blocks (paged, a page at a time): Settings → Blocked people. */
  list: [...BLOCKS, 'page'] as const,
  /** Every page at once, as ids: whose messages group channels hide. */
  ids: [...BLOCKS, 'ids'] as const,
};

/** Reports (docs/safety.md), kept live by `report` frames. */
export const reportKeys = {
  /** GET /api/me/reports (paged): Settings → My reports. */
  mine: ['my-reports'] as const,
  /** A program's moderation queue, open or all. */
  ofProgram: (programId: string) => ['reports', programId] as const,
  /** GET /api/programs/{id}/reports?all= (paged). */
  queue: (programId: string, all: boolean) => [...reportKeys.ofProgram(programId), all] as const,
};

/** Codes of conduct: mine to accept, and each program's. */
const CONDUCT = ['conduct'] as const;
export const conductKeys = {
  /** Everything about codes of conduct: invalidating it refetches both below. */
  all: CONDUCT,
  /** GET /api/me/conduct: the codes I have yet to accept. */
  mine: [...CONDUCT, 'mine'] as const,
  /** GET /api/programs/{id}/conduct. */
  ofProgram: (programId: string) => [...CONDUCT, 'program', programId] as const,
};

/** "Get help now" panels. */
export const helpKeys = {
  /** GET /api/me/help. */
  mine: ['help', 'mine'] as const,
  /** GET /api/programs/{id}/help. */
  ofProgram: (programId: string) => ['help', 'program', programId] as const,
};

export const dashboardKeys = {
  /** A program's dashboard under every filter. */
  ofProgram: (programId: string) => ['dashboard', programId] as const,
  /** GET /api/programs/{id}/dashboard with a filter. */
  filtered: (programId: string, filter: DashboardFilter) => [...dashboardKeys.ofProgram(programId), filter] as const,
};

/** Instance administration. */
export const adminKeys = {
  /** GET /api/admin/outbox (paged). */
  outbox: ['outbox'] as const,
  /** GET /api/admin/audit (paged). */
  audit: ['audit'] as const,
};
